import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderAs, reply, type Call } from '../../test/helpers';
import { explainFailure, parseCsv, parseIndicatorFile } from './importParse';
import IndicatorsPage, { isExpired } from './IndicatorsPage';

const SHA = '9d4f6c1b2a8e7d3c5b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f0e9d8c';

function indicator(id: string, over: Record<string, unknown> = {}) {
  return {
    id,
    indicatorValue: SHA,
    indicatorType: 'FileSha256',
    action: 'BlockAndRemediate',
    severity: 'High',
    title: `Indicator ${id}`,
    description: 'd',
    createdBy: 'automation',
    creationTimeDateTimeUtc: '2026-11-24T07:57:31.6034160Z',
    expirationTime: null,
    generateAlert: true,
    ...over,
  };
}

afterEach(() => vi.unstubAllGlobals());
const posts = (calls: Call[]) => calls.filter((c) => c.method !== 'GET');

describe('CSV parsing', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks', () => {
    const records = parseCsv('a,b,c\r\n"x, y","say ""hi""","two\nlines"\n\nlast,,\n');
    expect(records).toEqual([
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['x, y', 'say "hi"', 'two\nlines'] },
      { line: 5, fields: ['last', '', ''] },
    ]);
  });

  it('reports an unclosed quote', () => {
    const parsed = parseIndicatorFile('indicatorValue,indicatorType,action\n"1.2.3.4,IpAddress,Block\n');
    expect(parsed.rows).toHaveLength(0);
    expect(parsed.errors[0].message).toMatch(/not closed/);
  });

  it('turns rows into indicators and reports bad rows by line', () => {
    const csv = [
      '\uFEFFIndicatorValue,indicatorType,ACTION,title,severity,description,expirationTime',
      `${SHA},FileSha256,Block,"Dropper, stage 1",high,"He said ""run""",2099-12-31T00:00:00Z`,
      'evil.example,domainname,AlertAndBlock,Domain,,C2,',
      ',Url,Block,no value,,d,',
      'abc,FileSha256,Block,short hash,,d,',
      '1.2.3.4,IpAddress,Explode,bad action,,d,',
      '5.6.7.8,IpAddress,Audit,bad sev,Severe,d,',
      '5.6.7.9,IpAddress,Audit,bad date,Low,d,next tuesday',
      '5.6.7.10,IpAddress,Audit,old,Low,d,2020-01-01T00:00:00Z',
      '5.6.7.11,IpAddress,Audit,no description,Low,,',
    ].join('\n');
    const parsed = parseIndicatorFile(csv, 'iocs.csv');
    expect(parsed.format).toBe('csv');
    expect(parsed.rows.map((r) => r.where)).toEqual(['line 2', 'line 3']);
    expect(parsed.rows[0].indicator).toEqual({
      indicatorValue: SHA,
      indicatorType: 'FileSha256',
      action: 'Block',
      title: 'Dropper, stage 1',
      severity: 'High',
      description: 'He said "run"',
      expirationTime: '2099-12-31T00:00:00.000Z',
    });
    expect(parsed.rows[1].indicator).toMatchObject({ indicatorType: 'DomainName', action: 'AlertAndBlock' });
    expect(parsed.errors).toEqual([
      { where: 'line 4', message: 'indicatorValue is missing' },
      { where: 'line 5', message: "'abc' is not a FileSha256 (64 hex digits)" },
      { where: 'line 6', message: expect.stringMatching(/^unknown action 'Explode'/) },
      { where: 'line 7', message: expect.stringMatching(/^unknown severity 'Severe'/) },
      { where: 'line 8', message: expect.stringMatching(/^expirationTime 'next tuesday' is not a date/) },
      { where: 'line 9', message: 'expirationTime 2020-01-01T00:00:00.000Z is in the past' },
      { where: 'line 10', message: 'description is missing' },
    ]);
  });

  it('refuses a header without the required columns', () => {
    const parsed = parseIndicatorFile('value,kind\n1.2.3.4,IpAddress\n');
    expect(parsed.errors).toEqual([
      { where: 'line 1', message: 'the header has no indicatorType column' },
      { where: 'line 1', message: 'the header has no action column' },
    ]);
  });

  it('reads JSON arrays and {"Indicators":[...]}', () => {
    const array = parseIndicatorFile(
      JSON.stringify([{ IndicatorValue: '1.2.3.4', IndicatorType: 'IpAddress', Action: 'Block', Title: 't', Description: 'd' }, 5]),
    );
    expect(array.rows[0].indicator).toMatchObject({ indicatorValue: '1.2.3.4', indicatorType: 'IpAddress', action: 'Block' });
    expect(array.errors).toEqual([{ where: 'item 2', message: 'not an object' }]);
    const wrapped = parseIndicatorFile('{"Indicators":[{"indicatorValue":"https://x.test/a","indicatorType":"Url","action":"Alert","generateAlert":"yes","title":"t","description":"d"}]}');
    expect(wrapped.rows[0].indicator).toMatchObject({ indicatorType: 'Url', generateAlert: true });
    expect(parseIndicatorFile('{"foo":1}').errors[0].message).toMatch(/expected a JSON array/);
    expect(parseIndicatorFile('[{', 'x.json').errors[0].message).toMatch(/not valid JSON/);
  });

  it('maps the server record numbers back to lines', () => {
    const sent = [{ where: 'line 2', indicator: {} as never }, { where: 'line 5', indicator: {} as never }];
    expect(explainFailure('record 2: private address', sent)).toEqual({ where: 'line 5', message: 'private address' });
    expect(explainFailure('store full', sent)).toEqual({ where: 'server', message: 'store full' });
  });
});

describe('IndicatorsPage', () => {
  it('marks expired indicators and filters by type and text', async () => {
    await renderAs(
      'viewer',
      <IndicatorsPage />,
      {
        'GET /api/indicators': {
          value: [
            indicator('1', { expirationTime: '2020-01-01T00:00:00Z', title: 'Old hash' }),
            indicator('2', { indicatorValue: 'https://bad.test/x', indicatorType: 'Url', title: 'Phish', expirationTime: '2999-01-01T00:00:00Z' }),
            indicator('3', { indicatorValue: '1.2.3.4', indicatorType: 'IpAddress', title: 'C2', createdBy: 'alice' }),
          ],
        },
      },
      { path: '/indicators', pattern: '/indicators' },
    );
    await screen.findByText('Old hash');
    const oldRow = screen.getByText('Old hash').closest('tr')!;
    expect(within(oldRow).getByText('Expired')).toBeInTheDocument();
    const phishRow = screen.getByText('Phish').closest('tr')!;
    expect(within(phishRow).queryByText('Expired')).toBeNull();
    expect(within(screen.getByText('C2').closest('tr')!).getByText('Never')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Add indicator' })).toBeNull();
    expect(screen.queryByRole('button', { name: /^Delete/ })).toBeNull();

    fireEvent.change(screen.getByLabelText('Type'), { target: { value: 'Url' } });
    expect(screen.queryByText('Old hash')).toBeNull();
    expect(screen.getByText('Phish')).toBeInTheDocument();
    fireEvent.change(screen.getByLabelText('Type'), { target: { value: '' } });
    fireEvent.change(screen.getByLabelText('Search'), { target: { value: 'alice' } });
    expect(screen.getAllByRole('row')).toHaveLength(2);
    fireEvent.change(screen.getByLabelText('Search'), { target: { value: '' } });
    fireEvent.click(screen.getByLabelText(/Hide expired/));
    expect(screen.queryByText('Old hash')).toBeNull();
  });

  it('knows when an indicator has expired', () => {
    const now = new Date('2026-11-24T12:00:00Z');
    expect(isExpired({ expirationTime: '2026-11-24T11:59:59Z' }, now)).toBe(true);
    expect(isExpired({ expirationTime: '2026-11-24T12:00:01Z' }, now)).toBe(false);
    expect(isExpired({ expirationTime: null }, now)).toBe(false);
  });

  it('adds an indicator with the expiry in UTC', async () => {
    const user = userEvent.setup();
    const { calls } = await renderAs(
      'responder',
      <IndicatorsPage />,
      { 'GET /api/indicators': { value: [] }, 'POST /api/indicators': (c: Call) => ({ id: '9', ...(c.body as object) }) },
      { path: '/indicators', pattern: '/indicators' },
    );
    await screen.findByText(/No indicators yet/);
    await user.click(screen.getByRole('button', { name: 'Add indicator' }));
    const form = screen.getByRole('region', { name: 'Add an indicator' });
    await user.type(within(form).getByLabelText('Value'), 'evil.example');
    await user.selectOptions(within(form).getByLabelText('Type'), 'DomainName');
    await user.selectOptions(within(form).getByLabelText('Action'), 'Block');
    await user.selectOptions(within(form).getByLabelText('Severity'), 'High');
    await user.type(within(form).getByLabelText('Title'), 'C2 domain');
    await user.type(within(form).getByLabelText('Description'), 'seen in incident 7');
    fireEvent.change(within(form).getByLabelText(/^Expires/), { target: { value: '2030-06-01T09:30' } });
    await user.click(within(form).getByLabelText(/Generate an alert/));
    await user.click(within(form).getByRole('button', { name: 'Add' }));
    await screen.findByText('Added indicator evil.example.');
    expect(posts(calls)[0]).toMatchObject({
      path: '/api/indicators',
      body: {
        indicatorValue: 'evil.example',
        indicatorType: 'DomainName',
        action: 'Block',
        severity: 'High',
        title: 'C2 domain',
        description: 'seen in incident 7',
        generateAlert: false,
        expirationTime: new Date('2030-06-01T09:30').toISOString().replace('.000Z', 'Z'),
      },
    });
  });

  it('shows the server error when adding fails, and checks hashes first', async () => {
    const user = userEvent.setup();
    const { calls } = await renderAs(
      'responder',
      <IndicatorsPage />,
      {
        'GET /api/indicators': { value: [] },
        'POST /api/indicators': reply(400, { error: { code: 'InvalidInput', message: 'private addresses cannot be indicators' } }),
      },
      { path: '/indicators', pattern: '/indicators' },
    );
    await user.click(await screen.findByRole('button', { name: 'Add indicator' }));
    const form = screen.getByRole('region', { name: 'Add an indicator' });
    await user.type(within(form).getByLabelText('Value'), 'abc');
    await user.type(within(form).getByLabelText('Title'), 't');
    await user.type(within(form).getByLabelText('Description'), 'd');
    await user.click(within(form).getByRole('button', { name: 'Add' }));
    expect(within(form).getByRole('alert')).toHaveTextContent("'abc' is not a FileSha256");
    expect(posts(calls)).toHaveLength(0);
    await user.clear(within(form).getByLabelText('Value'));
    await user.type(within(form).getByLabelText('Value'), '10.0.0.1');
    await user.selectOptions(within(form).getByLabelText('Type'), 'IpAddress');
    await user.click(within(form).getByRole('button', { name: 'Add' }));
    expect(await within(form).findByText('private addresses cannot be indicators')).toBeInTheDocument();
  });

  it('deletes after confirmation', async () => {
    const user = userEvent.setup();
    const { calls } = await renderAs(
      'responder',
      <IndicatorsPage />,
      { 'GET /api/indicators': { value: [indicator('1')] }, 'DELETE /api/indicators/1': reply(204) },
      { path: '/indicators', pattern: '/indicators' },
    );
    await user.click(await screen.findByRole('button', { name: `Delete ${SHA}` }));
    const dialog = screen.getByRole('dialog', { name: 'Delete indicator' });
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(posts(calls)).toHaveLength(0);
    await user.click(screen.getByRole('button', { name: `Delete ${SHA}` }));
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Delete' }));
    await screen.findByText(`Deleted indicator ${SHA}.`);
    expect(posts(calls)[0]).toMatchObject({ method: 'DELETE', path: '/api/indicators/1' });
  });

  it('imports a CSV file and reports what was accepted and refused', async () => {
    const user = userEvent.setup();
    const { calls } = await renderAs(
      'responder',
      <IndicatorsPage />,
      {
        'GET /api/indicators': { value: [] },
        'POST /api/indicators/import': {
          value: [
            { id: null, indicator: null, isFailed: true, failureReason: 'record 2: 10.1.1.1 is a private address' },
            { id: '5', indicator: '1.2.3.4', isFailed: false, failureReason: null },
          ],
        },
      },
      { path: '/indicators', pattern: '/indicators' },
    );
    await user.click(await screen.findByRole('button', { name: 'Import' }));
    const panel = screen.getByRole('region', { name: 'Import indicators' });
    const csv = 'indicatorValue,indicatorType,action,title,severity,description,expirationTime\n1.2.3.4,IpAddress,Block,a,,da,\n10.1.1.1,IpAddress,Block,b,,db,\nxyz,Nope,Block,c,,dc,\n';
    await user.upload(within(panel).getByLabelText('Indicator file'), new File([csv], 'iocs.csv', { type: 'text/csv' }));
    await within(panel).findByText(/2 indicators ready, 1 row with problems/);
    expect(within(panel).getByText(/unknown indicatorType 'Nope'/)).toBeInTheDocument();
    await user.click(within(panel).getByRole('button', { name: 'Import 2 indicators' }));
    await within(panel).findByText('1 accepted, 2 not imported');
    expect(within(panel).getByText('10.1.1.1 is a private address')).toBeInTheDocument();
    expect(within(panel).getByText('line 3:')).toBeInTheDocument();
    const post = posts(calls)[0];
    expect(post.path).toBe('/api/indicators/import');
    expect(post.body).toEqual({
      Indicators: [
        { indicatorValue: '1.2.3.4', indicatorType: 'IpAddress', action: 'Block', title: 'a', description: 'da' },
        { indicatorValue: '10.1.1.1', indicatorType: 'IpAddress', action: 'Block', title: 'b', description: 'db' },
      ],
    });
    await waitFor(() => expect(calls.filter((c) => c.path === '/api/indicators').length).toBe(2));
  });
});
