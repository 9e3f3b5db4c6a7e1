import { describe, expect, it } from 'vitest';
import {
  backgroundImageUrl,
  emojiText,
  fontAwesomeClasses,
  itemIconPath,
  letterColour,
  letterFor,
  logoImageUrl,
  needsSignIn,
  resolveIcon,
  usesFontAwesome,
} from './icons';
import type { DashyConfig } from './types';

const site = 'http://plex.lan:32400/web';
const q = encodeURIComponent;
const image = (src: string, tinted = false) => ({ kind: 'image', src, tinted });
const favicon = (title: string) => image(`/icons/favicon?url=${q(site)}&title=${q(title)}`);

describe('resolveIcon', () => {
  it('shows nothing without an icon, as Dashy does', () => {
    expect(resolveIcon(undefined, site, 'Plex')).toEqual({ kind: 'none' });
    expect(resolveIcon('   ', site, 'Plex')).toEqual({ kind: 'none' });
  });

  it('fetches an image URL through the server, naming the item and title to fall back on', () => {
    const url = 'https://cdn.jsdelivr.net/gh/homarr-labs/dashboard-icons/png/plex.png';
    expect(resolveIcon(url, site, 'Plex')).toEqual(image(`/icons/image?url=${q(url)}&item=${q(site)}&title=Plex`));
    expect(resolveIcon(`  ${url} `, undefined, 'My Plex')).toEqual(image(`/icons/image?url=${q(url)}&title=My%20Plex`));
    expect(resolveIcon('https://bad host/x.png', site, 'Plex')).toEqual(favicon('Plex'));
    // Longer than the server takes: the tile, without a request the server would refuse.
    const long = `https://netdata.example/nodes#${'x'.repeat(2100)}`;
    expect(resolveIcon(url, long, 'Netdata')).toEqual(image(`/icons/image?url=${q(url)}&title=Netdata`));
    expect(resolveIcon('favicon', long, 'Netdata')).toEqual({ kind: 'letter' });
  });

  it('reads file names as files in item-icons, before any prefix, as Dashy does', () => {
    expect(resolveIcon('Jellyfin.png', undefined, 'Jellyfin')).toEqual(image('/item-icons/Jellyfin.png?title=Jellyfin'));
    expect(resolveIcon('hl-plex.png', undefined, 'Plex')).toEqual(image('/item-icons/hl-plex.png?title=Plex'));
    expect(resolveIcon('file-lines-regular.svg', site, 'Notes')).toEqual(image(`/item-icons/file-lines-regular.svg?url=${q(site)}&title=Notes`));
    expect(resolveIcon('../conf.png', undefined, 'X')).toEqual({ kind: 'letter' });
  });

  it('serves dashboard-icons through the server, which falls back on the favicon and a letter', () => {
    expect(resolveIcon('hl-Home-Assistant', site, 'Home Assistant')).toEqual(image(`/icons/hl/home-assistant?url=${q(site)}&title=Home%20Assistant`));
    expect(resolveIcon('hl-plex', undefined, 'Plex')).toEqual(image('/icons/hl/plex?title=Plex'));
    expect(resolveIcon('hl-plex', 'nas.lan', 'Plex')).toEqual(image('/icons/hl/plex?title=Plex'));
    expect(resolveIcon('hl-../../x', undefined, 'X')).toEqual({ kind: 'letter' });
  });

  it('tints Simple Icons and Material Design Icons, with a title for the letter that stands in', () => {
    expect(resolveIcon('si-sonarr', undefined, 'Sonarr')).toEqual(image('/icons/si/sonarr.svg?title=Sonarr', true));
    expect(resolveIcon('si-HomeAssistant', site, 'HA')).toEqual(image('/icons/si/homeassistant.svg?title=HA', true));
    expect(resolveIcon('mdi-server-network', site, 'Net')).toEqual(image('/icons/mdi/server-network.svg?title=Net', true));
    expect(resolveIcon('mdi mdi-sofa-outline', undefined, 'Sofa')).toEqual(image('/icons/mdi/sofa-outline.svg?title=Sofa', true));
  });

  it('fetches favicons of http(s) items only', () => {
    expect(resolveIcon('favicon', site, 'Plex')).toEqual(favicon('Plex'));
    expect(resolveIcon('favicon-allesedv', site, 'Plex')).toEqual(favicon('Plex'));
    expect(resolveIcon('favicon-https://app.fing.com/', site, 'Plex')).toEqual(favicon('Plex'));
    expect(resolveIcon('favicon', 'nas.lan', 'NAS')).toEqual({ kind: 'letter' });
    expect(resolveIcon('favicon', undefined, 'NAS')).toEqual({ kind: 'letter' });
  });

  it('renders Font Awesome, emoji, and a letter for what it cannot load', () => {
    expect(resolveIcon('fas fa-rocket')).toEqual({ kind: 'font-awesome', className: 'fas fa-rocket' });
    expect(resolveIcon('🪴', site)).toEqual({ kind: 'emoji', text: '🪴' });
    expect(resolveIcon('generative', site)).toEqual({ kind: 'letter' });
    expect(resolveIcon('sh-jellyfin', site, 'Plex')).toEqual(favicon('Plex'));
    expect(resolveIcon('something else')).toEqual({ kind: 'letter' });
  });

  it('sends a short, encodable title', () => {
    const long = resolveIcon('hl-plex', undefined, `  ${'é'.repeat(300)}\ud800`) as { src: string };
    expect(decodeURIComponent(long.src.split('title=')[1]!)).toBe('é'.repeat(100));
  });
});

describe('page images', () => {
  it('loads the background and logo through the server, files from the user data folder included', () => {
    expect(backgroundImageUrl({ backgroundImg: ' https://example.org/bg.jpg ' })).toBe(`/icons/background?url=${q('https://example.org/bg.jpg')}`);
    expect(backgroundImageUrl({ backgroundImg: './wallpapers/night.png' })).toBe(`/icons/background?url=${q('./wallpapers/night.png')}`);
    expect(logoImageUrl({ logo: '/assets/corsaire.png' })).toBe(`/icons/logo?url=${q('/assets/corsaire.png')}`);
    expect(logoImageUrl({ logo: 'data:image/png;base64,iVBORw0KGgo=' })).toBe('data:image/png;base64,iVBORw0KGgo=');
  });

  it('has nothing to load for an empty or unusable value', () => {
    expect(backgroundImageUrl(undefined)).toBeNull();
    expect(backgroundImageUrl({ backgroundImg: '  ' })).toBeNull();
    for (const value of ['javascript:alert(1)', '//cdn.example/bg.jpg', '../conf.png', 'notes.txt', 'file:///etc/x.png']) {
      expect(backgroundImageUrl({ backgroundImg: value }), value).toBeNull();
    }
    expect(logoImageUrl(null)).toBeNull();
  });
});

describe('fontAwesomeClasses', () => {
  it('keeps Dashy-style and v6-style classes, adding the solid family when none is named', () => {
    expect(fontAwesomeClasses('far fa-server')).toBe('far fa-server');
    expect(fontAwesomeClasses('  fa-solid   fa-house fa-spin ')).toBe('fa-solid fa-house fa-spin');
    expect(fontAwesomeClasses('fa-github')).toBe('fas fa-github');
    expect(fontAwesomeClasses('FAB FA-Docker')).toBe('fab fa-docker');
  });

  it('draws Pro-only families as solid, and refuses anything that is not a class list', () => {
    expect(fontAwesomeClasses('fal fa-windsock')).toBe('fas fa-windsock');
    expect(fontAwesomeClasses('fad fa-duotone fa-rocket')).toBe('fas fa-rocket');
    expect(fontAwesomeClasses('fas')).toBeNull();
    expect(fontAwesomeClasses('fas fa-rocket" onmouseover="x')).toBeNull();
    expect(fontAwesomeClasses('my-fa-icon')).toBeNull();
  });
});

describe('emojiText', () => {
  it('accepts emoji sequences and U+ codes, nothing else', () => {
    expect(emojiText('🖥️')).toBe('🖥️');
    expect(emojiText('👩🏽‍💻')).toBe('👩🏽‍💻');
    expect(emojiText('🇩🇪')).toBe('🇩🇪');
    expect(emojiText('🚀📝')).toBe('🚀📝');
    expect(emojiText('U+1F680')).toBe('🚀');
    expect(emojiText('U+110000')).toBeNull();
    expect(emojiText('1')).toBeNull();
    expect(emojiText('#')).toBeNull();
    expect(emojiText('home 🏠')).toBeNull();
    expect(emojiText(':rocket:')).toBeNull();
  });
});

describe('itemIconPath', () => {
  it('accepts Dashy-style file names and paths inside item-icons only', () => {
    expect(itemIconPath('apps/Uptime Kuma.png')).toBe('/item-icons/apps/Uptime%20Kuma.png');
    expect(itemIconPath('./item-icons/x.svg')).toBe('/item-icons/x.svg');
    expect(itemIconPath('/item-icons/x.svg')).toBe('/item-icons/x.svg');
    for (const bad of ['../x.png', 'a/../../x.png', '.x.png', 'x.txt', 'a/b/c/d/e.png', 'x.png?y']) expect(itemIconPath(bad), bad).toBeNull();
  });
});

describe('needsSignIn, letterFor and usesFontAwesome', () => {
  it('knows which routes answer only signed-in people', () => {
    expect(needsSignIn('/icons/image?url=x')).toBe(true);
    expect(needsSignIn('/icons/favicon?url=x')).toBe(true);
    expect(needsSignIn('/icons/hl/plex')).toBe(true);
    expect(needsSignIn('/icons/background?url=x')).toBe(true);
    expect(needsSignIn('/icons/logo?url=x')).toBe(true);
    expect(needsSignIn('/item-icons/x.png?url=http%3A%2F%2Fa&title=A')).toBe(true);
    expect(needsSignIn('/item-icons/x.png?title=A')).toBe(false);
    expect(needsSignIn('/icons/si/plex.svg?title=Plex')).toBe(false);
    expect(needsSignIn('/item-icons/x.png')).toBe(false);
  });

  it('takes the first character of the title, whole', () => {
    expect(letterFor('plex')).toBe('P');
    expect(letterFor('  émby')).toBe('É');
    expect(letterFor('🚀 Launch')).toBe('🚀');
    expect(letterFor('👩🏽‍💻 Dev')).toBe('👩🏽‍💻');
    // A letter with a combining accent after it is one character too.
    expect(letterFor('e\u0301cole')).toBe('E\u0301');
    expect(letterFor('x')).toBe('X');
    expect(letterFor('')).toBe('?');
  });

  it('colours a letter tile as the server does (src/icons/letter-tile.test.ts checks the same values)', () => {
    expect(['Plex', 'Home Assistant', 'Zulu', ''].map(letterColour)).toEqual(['#b25e34', '#26822f', '#268281', '#717321']);
    expect(letterColour(' plex ')).toBe(letterColour('Plex'));
  });

  it('finds Font Awesome icons in sections, items and sub-items', () => {
    const base: DashyConfig = { sections: [{ name: 'A', icon: 'hl-plex', items: [{ title: 'x', icon: 'si-plex' }] }] };
    expect(usesFontAwesome(base)).toBe(false);
    expect(usesFontAwesome(null)).toBe(false);
    expect(usesFontAwesome({ sections: [{ name: 'A', icon: 'fas fa-film' }] })).toBe(true);
    expect(usesFontAwesome({ sections: [{ name: 'A', items: [{ title: 'g', subItems: [{ title: 's', icon: 'fab fa-github' }] }] }] })).toBe(true);
  });

  it('skips entries that are not objects, as the page does', () => {
    const stray = { sections: [null, { name: 'A', items: [null, { title: 'x', icon: 'fas fa-film' }] }] } as unknown as DashyConfig;
    expect(usesFontAwesome(stray)).toBe(true);
    expect(usesFontAwesome({ sections: 'oops' } as unknown as DashyConfig)).toBe(false);
  });
});
