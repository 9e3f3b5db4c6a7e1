/**
 * "Chrome on macOS" from a User-Agent header: enough for a person to recognise their own
 * devices in the audit log. A handful of patterns rather than a parser library: the log
 * needs the family names, never versions, and a wrong guess costs nothing but a word.
 */

/** Programs that call the token endpoint or the API directly, by the product token they send. */
const PROGRAMS: [RegExp, string][] = [
  [/^curl\//i, 'curl'],
  [/^Wget\//i, 'Wget'],
  [/^Go-http-client\//, 'a Go program'],
  [/^python-(requests|urllib|httpx)|^Python-urllib|^aiohttp/i, 'a Python program'],
  [/^(node|undici|axios|node-fetch)\b/i, 'a Node.js program'],
  [/^(Java|okhttp|Apache-HttpClient)\b/i, 'a Java program'],
];

// Order matters: Edge, Opera and Samsung Internet also say "Chrome"; Chrome also says "Safari".
const BROWSERS: [RegExp, string][] = [
  [/\bEdg(e|A|iOS)?\//, 'Edge'],
  [/\bOPR\/|\bOpera\b|\bOPT\//, 'Opera'],
  [/\bSamsungBrowser\//, 'Samsung Internet'],
  [/\bFirefox\/|\bFxiOS\//, 'Firefox'],
  [/\b(Headless)?Chrome\/|\bCriOS\/|\bChromium\//, 'Chrome'],
  [/\bSafari\//, 'Safari'],
];

// iPadOS before macOS (an iPad says "like Mac OS X"), Android and ChromeOS before Linux.
const SYSTEMS: [RegExp, string][] = [
  [/\bWindows\b/, 'Windows'],
  [/\biPad\b/, 'iPadOS'],
  [/\biPhone\b|\biPod\b/, 'iOS'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bAndroid\b/, 'Android'],
  [/\bMac OS X\b|\bMacintosh\b/, 'macOS'],
  [/\bLinux\b|\bX11\b/, 'Linux'],
];

const firstMatch = (table: [RegExp, string][], text: string) => table.find(([pattern]) => pattern.test(text))?.[1];

/** The device an entry came from, in words; changes made by the hearth-id command or a provisioning file say so. */
export function describeDevice(userAgent: string | null | undefined, origin?: 'cli' | 'provisioning'): string {
  if (origin === 'cli') return 'command line';
  if (origin === 'provisioning') return 'provisioning file';
  const text = userAgent?.trim() ?? '';
  if (!text) return 'unknown device';
  const program = firstMatch(PROGRAMS, text);
  if (program) return program;
  const browser = firstMatch(BROWSERS, text);
  const system = firstMatch(SYSTEMS, text);
  if (browser && system) return `${browser} on ${system}`;
  if (browser) return browser;
  if (system) return `a browser on ${system}`;
  return 'unknown device';
}
