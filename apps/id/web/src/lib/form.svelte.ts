import { fieldError, formError } from './api';

/**
 * One form's submission: busy while the request runs, the server's error to show beside
 * the fields (or above the button when no field is at fault), `saved` after success.
 */
export class Submission {
  busy = $state(false);
  error = $state<unknown>(null);
  saved = $state(false);

  constructor(
    private readonly action: () => Promise<void>,
    /** The inputs this form shows errors beside; other errors go to the whole form. */
    private readonly fields: readonly string[] = [],
  ) {}

  submit = async (event?: Event): Promise<void> => {
    event?.preventDefault();
    this.busy = true;
    this.error = null;
    this.saved = false;
    try {
      await this.action();
      this.saved = true;
    } catch (failure) {
      this.error = failure;
    } finally {
      this.busy = false;
    }
  };

  fieldError(field: string): string | undefined {
    return fieldError(this.error, field);
  }

  get formError(): string | undefined {
    return formError(this.error, this.fields);
  }
}
