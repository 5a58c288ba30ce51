/**
 * Exceptions raised by the emulated Odoo, named exactly as Odoo names them (data.name over
 * JSON-RPC, faultCode over XML-RPC, HTTP status over JSON-2). The HTTP layer serializes them
 * per transport; the ORM only decides which one to raise and with which message.
 */
export class EmulatedOdooError extends Error {
  constructor(
    /** Fully qualified Python name, e.g. "odoo.exceptions.AccessError", "builtins.ValueError" */
    readonly odooName: string,
    message: string,
    /** JSON-RPC error.code: 200 for everything but session expiry (100) and NotFound (404) */
    readonly rpcCode: number = 200,
  ) {
    super(message);
    this.name = 'EmulatedOdooError';
  }

  /** The traceback line Odoo puts in data.debug (captures keep only the last line). */
  get debug(): string {
    const prefix = this.odooName.startsWith('builtins.') ? this.odooName.slice('builtins.'.length) : this.odooName;
    return `${prefix}: ${this.message}\n`;
  }
}

export const userError = (msg: string) => new EmulatedOdooError('odoo.exceptions.UserError', msg);
export const accessError = (msg: string) => new EmulatedOdooError('odoo.exceptions.AccessError', msg);
export const accessDenied = (msg = 'Access Denied') => new EmulatedOdooError('odoo.exceptions.AccessDenied', msg);
export const validationError = (msg: string) => new EmulatedOdooError('odoo.exceptions.ValidationError', msg);
export const missingError = (msg: string) => new EmulatedOdooError('odoo.exceptions.MissingError', msg);
export const valueError = (msg: string) => new EmulatedOdooError('builtins.ValueError', msg);
export const typeError = (msg: string) => new EmulatedOdooError('builtins.TypeError', msg);
export const attributeError = (msg: string) => new EmulatedOdooError('builtins.AttributeError', msg);
export const sessionExpired = () =>
  new EmulatedOdooError('odoo.http.SessionExpiredException', 'Session expired', 100);
