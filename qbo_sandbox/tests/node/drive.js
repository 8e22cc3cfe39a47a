// Drives node-quickbooks, unchanged, against qbo_sandbox: one JSON line per step on stdout.
//
//   QBO_ACCESS_TOKEN=… QBO_REFRESH_TOKEN=… QBO_CLIENT_ID=… QBO_CLIENT_SECRET=… \
//     node drive.js http://127.0.0.1:8765 REALM_ID
//
// Tokens come from the environment so they never show in a process list.
'use strict';

const QuickBooks = require('node-quickbooks');

const [base, realmId] = process.argv.slice(2);
if (!base || !realmId) {
  console.error('usage: node drive.js BASE_URL REALM_ID (tokens in QBO_* environment variables)');
  process.exit(2);
}

// The only change to node-quickbooks: its module-level URL constants.
QuickBooks.V3_ENDPOINT_BASE_URL = `${base}/v3/company/`;
QuickBooks.TOKEN_URL = `${base}/oauth2/v1/tokens/bearer`;
QuickBooks.REVOKE_URL = `${base}/v2/oauth2/tokens/revoke`;

const qbo = new QuickBooks(
  process.env.QBO_CLIENT_ID,
  process.env.QBO_CLIENT_SECRET,
  process.env.QBO_ACCESS_TOKEN,
  false, // no token secret: OAuth 2
  realmId,
  true, // useSandbox: the endpoint is V3_ENDPOINT_BASE_URL as set above
  false, // debug
  75, // minorversion
  '2.0',
  process.env.QBO_REFRESH_TOKEN,
);

// node-quickbooks' methods take a callback (err, data); this makes them awaitable.
function call(method, ...args) {
  return new Promise((resolve, reject) => {
    qbo[method](...args, (err, data) => (err ? reject(err) : resolve(data)));
  });
}

// Creates with node-quickbooks' create<Entity>, then reads it back with get<Entity>.
async function createAndRead(entity, body) {
  const made = await call(`create${entity}`, body);
  return call(`get${entity}`, made.Id);
}

// QuickBooks' fault from what node-quickbooks passes as the error (an axios error or the body).
function fault(err) {
  const body = (err && err.response && err.response.data) || err;
  const envelope = body && (body.Fault || body.fault);
  const status = err && err.response ? err.response.status : null;
  if (!envelope) return { status, message: String((err && err.message) || err) };
  const errors = (envelope.Error || envelope.error || []).map((e) => ({
    code: e.code,
    message: e.Message || e.message,
    detail: e.Detail || e.detail,
  }));
  return { status, type: envelope.type, errors };
}

function report(step, result) {
  process.stdout.write(JSON.stringify({ step, ...result }) + '\n');
}

// Runs one step; a failure is reported and stops the run (later steps build on earlier ones).
async function step(name, run) {
  try {
    const result = await run();
    report(name, { ok: true, ...result });
    return result;
  } catch (err) {
    report(name, { ok: false, fault: fault(err) });
    process.exit(1);
  }
}

// A step whose call must be refused by QuickBooks: its fault is the result.
async function refused(name, run) {
  try {
    const data = await run();
    report(name, { ok: false, unexpected: data });
    process.exit(1);
  } catch (err) {
    report(name, { ok: true, fault: fault(err) });
  }
}

const sale = (itemId) => ({
  Amount: 150,
  DetailType: 'SalesItemLineDetail',
  SalesItemLineDetail: { ItemRef: { value: itemId }, Qty: 3, UnitPrice: 50 },
});

async function main() {
  const oldToken = qbo.token;
  await step('refresh', async () => {
    const answer = await call('refreshAccessToken');
    return {
      new_access_token: qbo.token !== oldToken,
      new_refresh_token: answer.refresh_token !== process.env.QBO_REFRESH_TOKEN,
      expires_in: answer.expires_in,
    };
  });

  const customer = await step('customer', async () => {
    const read = await createAndRead('Customer', {
      GivenName: 'Ada',
      FamilyName: 'Lovelace',
      DisplayName: 'Ada Lovelace',
      PrimaryEmailAddr: { Address: 'ada@example.com' },
    });
    return { id: read.Id, sync_token: read.SyncToken, email: read.PrimaryEmailAddr.Address };
  });
  // node-quickbooks sends an entity's requestId as ?requestid=: a retry creates nothing new.
  await step('request_id', async () => {
    const first = await call('createCustomer', { DisplayName: 'Retried', requestId: 'r-1' });
    const again = await call('createCustomer', { DisplayName: 'Retried', requestId: 'r-1' });
    return { first: first.Id, again: again.Id };
  });
  const quoted = await step('customer_with_quote', async () => {
    const made = await call('createCustomer', { DisplayName: "Bob's Bakery" });
    return { id: made.Id };
  });

  const vendor = await step('vendor', async () => {
    const read = await createAndRead('Vendor', { DisplayName: 'Stripe' });
    return { id: read.Id, name: read.DisplayName };
  });

  const item = await step('item', async () => {
    const read = await createAndRead('Item', {
      Name: 'Design',
      Type: 'Service',
      Sku: 'D-1',
      IncomeAccountRef: { value: '1' },
    });
    return { id: read.Id, sku: read.Sku, income_account: read.IncomeAccountRef.value };
  });

  const ref = { value: customer.id };
  const invoice = await step('invoice', async () => {
    const read = await createAndRead('Invoice', { CustomerRef: ref, Line: [sale(item.id)] });
    return {
      id: read.Id,
      doc_number: read.DocNumber,
      total: read.TotalAmt,
      balance: read.Balance,
      txn_date: read.TxnDate,
      due_date: read.DueDate,
      item_name: read.Line[0].SalesItemLineDetail.ItemRef.name,
      bill_email: read.BillEmail ? read.BillEmail.Address : null,
    };
  });

  await step('estimate', async () => {
    const read = await createAndRead('Estimate', { CustomerRef: ref, Line: [sale(item.id)] });
    return { id: read.Id, total: read.TotalAmt, status: read.TxnStatus };
  });

  await step('sales_receipt', async () => {
    const read = await createAndRead('SalesReceipt', { CustomerRef: ref, Line: [sale(item.id)] });
    return { id: read.Id, total: read.TotalAmt, deposit_to: read.DepositToAccountRef.name };
  });

  await step('payment', async () => {
    const read = await createAndRead('Payment', {
      CustomerRef: ref,
      TotalAmt: 150,
      Line: [{ Amount: 150, LinkedTxn: [{ TxnId: invoice.id, TxnType: 'Invoice' }] }],
    });
    const paid = await call('getInvoice', invoice.id);
    return { id: read.Id, unapplied: read.UnappliedAmt, invoice_balance: paid.Balance };
  });

  await step('purchase', async () => {
    const read = await createAndRead('Purchase', {
      PaymentType: 'Check',
      AccountRef: { value: '35' },
      EntityRef: { value: vendor.id, type: 'Vendor' },
      Line: [
        {
          Amount: 4.65,
          DetailType: 'AccountBasedExpenseLineDetail',
          AccountBasedExpenseLineDetail: { AccountRef: { value: '8' } },
        },
      ],
    });
    return { id: read.Id, total: read.TotalAmt, vendor: read.EntityRef.value };
  });

  await step('refund_receipt', async () => {
    const read = await createAndRead('RefundReceipt', {
      CustomerRef: ref,
      Line: [sale(item.id)],
      DepositToAccountRef: { value: '35' },
    });
    return { id: read.Id, total: read.TotalAmt };
  });

  // Faktura's customer match: first name, last name and email all equal.
  await step('find_customers', async () => {
    const found = await call('findCustomers', [
      { field: 'GivenName', value: 'Ada' },
      { field: 'FamilyName', value: 'Lovelace' },
      { field: 'PrimaryEmailAddr', value: 'ada@example.com' },
    ]);
    return { ids: (found.QueryResponse.Customer || []).map((c) => c.Id) };
  });
  await step('find_customers_quote', async () => {
    const found = await call('findCustomers', { DisplayName: "Bob's Bakery" });
    return { ids: (found.QueryResponse.Customer || []).map((c) => c.Id), expected: quoted.id };
  });
  await step('find_customers_like', async () => {
    const found = await call('findCustomers', [
      { field: 'DisplayName', value: 'Ada%', operator: 'LIKE' },
    ]);
    return { names: (found.QueryResponse.Customer || []).map((c) => c.DisplayName) };
  });
  await step('find_items', async () => {
    const bySku = await call('findItems', { Sku: 'D-1' });
    const all = await call('findItems', { fetchAll: true });
    return {
      by_sku: (bySku.QueryResponse.Item || []).map((i) => i.Id),
      all: (all.QueryResponse.Item || []).map((i) => i.Name),
    };
  });
  await step('count_customers', async () => {
    const counted = await call('findCustomers', { count: true });
    return { count: counted.QueryResponse.totalCount };
  });

  // What a connection's settings read: the company, its preferences, accounts and terms.
  await step('company', async () => {
    const info = await call('getCompanyInfo', realmId);
    const prefs = await call('getPreferences');
    const banks = await call('findAccounts', { AccountType: 'Bank' });
    const terms = await call('findTerms', { Name: 'Net 30' });
    return {
      name: info.CompanyName,
      custom_txn_numbers: prefs.SalesFormsPrefs.CustomTxnNumbers,
      banks: (banks.QueryResponse.Account || []).map((a) => a.Name),
      net30: (terms.QueryResponse.Term || []).map((t) => t.DueDays),
    };
  });

  await step('batch', async () => {
    const answer = await call('batch', [
      { bId: 'q', Query: `select * from Customer where Id = '${customer.id}'` },
      { bId: 'c', operation: 'create', Vendor: { DisplayName: 'PayPal' } },
      { bId: 'x', operation: 'create', Vendor: { DisplayName: 'Stripe' } },
    ]);
    const byId = Object.fromEntries(answer.BatchItemResponse.map((r) => [r.bId, r]));
    return {
      queried: byId.q.QueryResponse.Customer.map((c) => c.DisplayName),
      created: byId.c.Vendor.DisplayName,
      refused: byId.x.Fault.Error.map((e) => e.code),
    };
  });

  await step('void_and_delete', async () => {
    const extra = await call('createInvoice', { CustomerRef: ref, Line: [sale(item.id)] });
    await call('voidInvoice', extra.Id);
    const voided = await call('getInvoice', extra.Id);
    const expense = await call('createPurchase', {
      PaymentType: 'Cash',
      AccountRef: { value: '35' },
      Line: [
        {
          Amount: 1,
          DetailType: 'AccountBasedExpenseLineDetail',
          AccountBasedExpenseLineDetail: { AccountRef: { value: '8' } },
        },
      ],
    });
    const deleted = await call('deletePurchase', expense.Id);
    return {
      voided_total: voided.TotalAmt,
      voided_balance: voided.Balance,
      deleted_status: deleted.Purchase && deleted.Purchase.status,
    };
  });

  await step('sparse_update', async () => {
    const updated = await call('updateCustomer', {
      Id: customer.id,
      SyncToken: customer.sync_token,
      sparse: true,
      CompanyName: 'Analytical Engines',
    });
    return { sync_token: updated.SyncToken, company: updated.CompanyName };
  });
  await refused('stale_sync_token', () =>
    call('updateCustomer', {
      Id: customer.id,
      SyncToken: customer.sync_token,
      sparse: true,
      CompanyName: 'Difference Engines',
    }),
  );

  const revoked = qbo.token;
  await step('revoke', async () => {
    await call('revokeAccess', false);
    return { token_cleared: qbo.token === null };
  });
  // node-quickbooks forgets the token it revoked; a copy kept elsewhere no longer works.
  qbo.token = revoked;
  qbo.realmId = realmId;
  await refused('after_revoke', () => call('getCustomer', customer.id));
}

main();
