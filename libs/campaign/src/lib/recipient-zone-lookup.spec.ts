import { timezones } from 'libphonenumber-geo-carrier';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { InMemoryCallList, type FakeRow } from '@codcall/test-support';
import { GoogleZoneTable, RecipientZoneLookup } from './recipient-zone-lookup';

/** Each row's zones as the campaign would plan with them, by order id. */
async function zonesOf(rows: FakeRow[], lookup = new RecipientZoneLookup()) {
  const list = new InMemoryCallList(rows);
  const found = await lookup.zonesFor(list.rows(), { timezoneColumn: 'timezone', fallbackZone: 'UTC' });
  return Object.fromEntries(list.rows().map((row) => [row.values['order_id'], found.get(row.key)]));
}

describe('the zones a row is called in', () => {
  it('a North-American number takes its area code\'s zone: New York, Los Angeles, Chicago, Phoenix, Toronto, Vancouver', async () => {
    const zones = await zonesOf([
      { phone: '+12127365000', order_id: 'NYC' },
      { phone: '+13104561234', order_id: 'LA' },
      { phone: '+13122345678', order_id: 'CHI' },
      { phone: '+16022345678', order_id: 'PHX' },
      { phone: '+14162345678', order_id: 'TOR' },
      { phone: '+16042345678', order_id: 'VAN' },
    ]);
    expect(zones).toEqual({
      NYC: { ok: true, zones: ['America/New_York'], source: 'area code', country: 'US' },
      LA: { ok: true, zones: ['America/Los_Angeles'], source: 'area code', country: 'US' },
      CHI: { ok: true, zones: ['America/Chicago'], source: 'area code', country: 'US' },
      PHX: { ok: true, zones: ['America/Phoenix'], source: 'area code', country: 'US' },
      TOR: { ok: true, zones: ['America/Toronto'], source: 'area code', country: 'CA' },
      VAN: { ok: true, zones: ['America/Vancouver'], source: 'area code', country: 'CA' },
    });
  });

  it('an area code spanning two zones gives both (Alaska\'s 907: Anchorage and Adak)', async () => {
    expect((await zonesOf([{ phone: '+19072345678', order_id: 'AK' }]))['AK']).toEqual({ ok: true, zones: ['America/Adak', 'America/Anchorage'], source: 'area code', country: 'US' });
  });

  it('a timezone cell wins over the area code; one that names no zone says so, for that row alone', async () => {
    const zones = await zonesOf([
      { phone: '+12127365000', order_id: 'CELL', timezone: 'Asia/Kolkata' },
      { phone: '+12127365001', order_id: 'TYPO', timezone: 'India Standard' },
      { phone: '+12127365002', order_id: 'AREA' },
    ]);
    expect(zones['CELL']).toEqual({ ok: true, zones: ['Asia/Kolkata'], source: 'timezone column' });
    expect(zones['TYPO']).toEqual({ ok: false, reason: 'unknown timezone "India Standard" in the timezone column (use an IANA name such as Asia/Kolkata)' });
    expect(zones['AREA']).toMatchObject({ ok: true, zones: ['America/New_York'] });
  });

  it('numbers the mapping cannot place (+1 555 test ranges) and other countries keep the country\'s zones', async () => {
    const zones = await zonesOf([
      { phone: '+15551234567', order_id: 'TEST' },
      { phone: '+525512345678', order_id: 'MEX' },
      { phone: '+628123456789', order_id: 'IDN' },
      { phone: '+919876543210', order_id: 'IND' },
    ]);
    expect(zones['TEST']).toMatchObject({ ok: true, source: 'calling code', country: 'US', zones: expect.arrayContaining(['America/New_York', 'Pacific/Honolulu']) });
    expect(zones['MEX']).toMatchObject({ ok: true, source: 'country', country: 'MX', zones: expect.arrayContaining(['America/Cancun', 'America/Tijuana']) });
    // Google's mapping would say Jakarta for this mobile range; Jayapura is two hours ahead of it.
    expect(zones['IDN']).toMatchObject({ ok: true, source: 'country', country: 'ID', zones: expect.arrayContaining(['Asia/Jakarta', 'Asia/Jayapura']) });
    expect(zones['IND']).toEqual({ ok: true, zones: ['Asia/Kolkata'], source: 'country', country: 'IN' });
  });

  it('looks each prefix (area code and exchange) up once, before planning: 1,000 rows of two exchanges cost two lookups', async () => {
    const asked: string[] = [];
    const counting = new RecipientZoneLookup((phone) => {
      asked.push(phone.number);
      return timezones(phone); // the library reads Google's whole mapping file each time (~5 ms)
    });
    const rows = Array.from({ length: 1000 }, (_, i) => ({ phone: `+1${i % 2 ? '212736' : '310456'}${String(i).padStart(4, '0')}`, order_id: `O${i}` }));
    const zones = await zonesOf(rows, counting);
    expect(asked).toHaveLength(2);
    expect(zones['O1']).toMatchObject({ zones: ['America/New_York'] });
    expect(zones['O998']).toMatchObject({ zones: ['America/Los_Angeles'] });
  });

  it('Google\'s table, read once, gives every number the zones libphonenumber-geo-carrier gives it (each area code and exchange of the sample, and other countries)', async () => {
    const table = await GoogleZoneTable.load();
    // Every seventh +1 area code from 201 at a few exchanges (the library takes ~5 ms a number), split areas such as Idaho's 208, other countries, and a number no prefix matches.
    const numbers = [
      ...Array.from({ length: 113 }, (_, i) => `+1${201 + 7 * i}${['234', '823', '555'][i % 3]}${String(1000 + i).slice(-4)}`),
      ...['+12082345678', '+12083234567', '+12088234567', '+919876543210', '+628123456789', '+525512345678', '+442071234567', '+61212345678', '+79161234567', '+5511987654321', '+999123'],
    ].map((e164) => parsePhoneNumberFromString(e164)).filter((phone) => phone !== undefined);
    const differing: string[] = [];
    let placed = 0;
    for (const phone of numbers) {
      const [ours, library] = [table.zonesOf(phone), await timezones(phone)];
      if (JSON.stringify(ours) !== JSON.stringify(library)) differing.push(`${phone.number}: ${ours} vs ${library}`);
      if (library) placed++;
    }
    expect(differing).toEqual([]);
    expect(placed).toBeGreaterThan(80);
    expect(table.zonesOf(parsePhoneNumberFromString('+12083234567')!)).toEqual(['America/Denver']);
  });

  it('a service\'s lookup keeps what it learnt per prefix and fallback zone: a second campaign with another fallback asks again', async () => {
    const asked: string[] = [];
    const lookup = new RecipientZoneLookup((phone) => {
      asked.push(phone.number);
      return timezones(phone);
    });
    const rows = new InMemoryCallList([{ phone: '+12127365000', order_id: 'NYC' }]).rows();
    await lookup.zonesFor(rows, { timezoneColumn: 'timezone', fallbackZone: 'UTC' });
    await lookup.zonesFor(rows, { timezoneColumn: 'timezone', fallbackZone: 'UTC' });
    await lookup.zonesFor(rows, { timezoneColumn: 'timezone', fallbackZone: 'Asia/Kolkata' });
    expect(asked).toEqual(['+12127365000', '+12127365000']);
  });
});
