/**
 * Handler arguments (issue 16 item 4): `init` gets `{}` when a station has no handlerArgs, and each
 * shipped handler checks its arguments, so a misspelled or missing one is a configuration error
 * naming the field instead of a handler that quietly refuses every idToken.
 */
import acceptAll from '../../handlers/accept-all';
import allowList from '../../handlers/allow-list';
import { defineHandler } from '../../handlers/behaviour';
import { ConfigError } from '../../src/errors';

const context = { stationId: 'CP1' };

describe('allow-list arguments', () => {
  it('refuses a misspelled idTokens field, naming it and what is allowed', () => {
    expect(allowList.checkArgs!({ idToken: ['A'] })).toEqual({ field: 'idToken', value: '[not shown]', allowed: 'unknown field; allowed: idTokens, heartbeatInterval' });
  });

  it('refuses arguments without idTokens, and idTokens that are not a list of idToken strings', () => {
    expect(allowList.checkArgs!({})).toMatchObject({ field: 'idTokens', allowed: expect.stringContaining('required') });
    expect(allowList.checkArgs!({ idTokens: 'A' })).toMatchObject({ field: 'idTokens', value: 'A' });
    expect(allowList.checkArgs!({ idTokens: ['A', 7] })).toMatchObject({ field: 'idTokens[1]', value: 7 });
    expect(allowList.checkArgs!({ idTokens: ['A'], heartbeatInterval: '60' })).toMatchObject({ field: 'heartbeatInterval', value: '60' });
    expect(allowList.checkArgs!({ idTokens: [] })).toBeUndefined();
  });

  it('fails init with a ConfigError naming handlerArgs.idTokens when embedded without arguments, instead of refusing every token', async () => {
    const error = await Promise.resolve()
      .then(() => allowList.init(undefined as never, context))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).field).toBe('handlerArgs.idTokens');
  });

  it('authorises the listed idTokens case-insensitively and no other', async () => {
    const state = await allowList.init({ idTokens: ['Token-1'] }, context);
    const authorize = (idToken: string) => allowList.handleOcpp('Authorize', { idToken: { idToken, type: 'ISO14443' } }, state, { stationId: 'CP1', messageId: 'm' });
    expect(await authorize('TOKEN-1')).toEqual({ reply: { idTokenInfo: { status: 'Accepted' } } });
    expect(await authorize('Token-2')).toEqual({ reply: { idTokenInfo: { status: 'Invalid' } } });
  });
});

describe('accept-all arguments', () => {
  it('starts with {} when no handlerArgs is given and answers boots with the default 300 s interval', async () => {
    const state = await acceptAll.init(undefined as never, context);
    const boot = await acceptAll.handleOcpp('BootNotification', { reason: 'PowerUp', chargingStation: { model: 'M', vendorName: 'V' } }, state, { stationId: 'CP1', messageId: 'm' });
    expect(boot).toMatchObject({ reply: { status: 'Accepted', interval: 300 } });
  });

  it('refuses a misspelled heartbeatInterval and one that is not a whole number of seconds', () => {
    expect(acceptAll.checkArgs!({ heartbeatIntervall: 60 })).toMatchObject({ field: 'heartbeatIntervall', allowed: 'unknown field; allowed: heartbeatInterval' });
    expect(acceptAll.checkArgs!({ heartbeatInterval: 0 })).toMatchObject({ field: 'heartbeatInterval', value: 0 });
    expect(acceptAll.checkArgs!({ heartbeatInterval: 60 })).toBeUndefined();
    expect(acceptAll.checkArgs!({})).toBeUndefined();
  });
});

describe('defineHandler', () => {
  it('gives init {} when the station has no handlerArgs', async () => {
    const seen: unknown[] = [];
    const handler = defineHandler<null, { site?: string }>({
      init: (args) => {
        seen.push(args);
        return null;
      },
      actions: {},
    });
    await handler.init(undefined as never, context);
    await handler.init({ site: 'north' }, context);
    expect(seen).toEqual([{}, { site: 'north' }]);
  });
});
