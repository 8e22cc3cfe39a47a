"""A new sandbox company: Intuit's sample-company basics (accounts, terms, tax codes, ...)."""

from __future__ import annotations

from typing import Any

from qbo_sandbox.clock import meta_time
from qbo_sandbox.store import Store

USD = {"value": "USD", "name": "United States Dollar"}

# (Id, Name, AccountType, AccountSubType): the Ids are those of Intuit's sample company.
ACCOUNTS = [
    (1, "Services", "Income", "ServiceFeeIncome"),
    (4, "Undeposited Funds", "Other Current Asset", "UndepositedFunds"),
    (7, "Advertising", "Expense", "AdvertisingPromotional"),
    (8, "Bank Charges", "Expense", "BankCharges"),
    (35, "Checking", "Bank", "Checking"),
    (41, "Mastercard", "Credit Card", "CreditCard"),
    (79, "Sales of Product Income", "Income", "SalesOfProductIncome"),
    (80, "Cost of Goods Sold", "Cost of Goods Sold", "SuppliesMaterialsCogs"),
    (81, "Inventory Asset", "Other Current Asset", "Inventory"),
]

CLASSIFICATION = {
    "Bank": "Asset",
    "Other Current Asset": "Asset",
    "Fixed Asset": "Asset",
    "Other Asset": "Asset",
    "Accounts Receivable": "Asset",
    "Equity": "Equity",
    "Expense": "Expense",
    "Other Expense": "Expense",
    "Cost of Goods Sold": "Expense",
    "Accounts Payable": "Liability",
    "Credit Card": "Liability",
    "Long Term Liability": "Liability",
    "Other Current Liability": "Liability",
    "Income": "Revenue",
    "Other Income": "Revenue",
}

TERMS = [
    (1, "Due on receipt", 0),
    (2, "Net 10", 10),
    (3, "Net 30", 30),
    (4, "Net 60", 60),
    (5, "Net 15", 15),
]

PAYMENT_METHODS = [
    (1, "American Express", "CREDIT_CARD"),
    (2, "Cash", "NON_CREDIT_CARD"),
    (3, "Check", "NON_CREDIT_CARD"),
    (4, "Diners Club", "CREDIT_CARD"),
    (5, "Discover", "CREDIT_CARD"),
    (6, "MasterCard", "CREDIT_CARD"),
    (7, "Visa", "CREDIT_CARD"),
]

NET_30 = "3"
AMY_ADDRESS = {
    "Id": "2",
    "Line1": "4581 Finch St.",
    "City": "Bayshore",
    "CountrySubDivisionCode": "CA",
    "PostalCode": "94326",
}
UNDEPOSITED_FUNDS = "4"
# The sample company's sales tax code, which QBO gives each new customer.
DEFAULT_TAX_CODE = "2"


def envelope(entity_id: int | str) -> dict[str, Any]:
    """The fields every stored entity carries."""
    now = meta_time()
    return {
        "domain": "QBO",
        "sparse": False,
        "Id": str(entity_id),
        "SyncToken": "0",
        "MetaData": {"CreateTime": now, "LastUpdatedTime": now},
    }


def create_company(store: Store, name: str) -> str:
    """Add a company with the sample company's basics; returns its realm id."""
    realm = store.add_company(name)
    with store.transaction():
        for account_id, account_name, account_type, sub_type in ACCOUNTS:
            store.insert(
                realm,
                "Account",
                {
                    "Name": account_name,
                    "SubAccount": False,
                    "FullyQualifiedName": account_name,
                    "Active": True,
                    "Classification": CLASSIFICATION[account_type],
                    "AccountType": account_type,
                    "AccountSubType": sub_type,
                    "CurrentBalance": 0,
                    "CurrentBalanceWithSubAccounts": 0,
                    "CurrencyRef": USD,
                    **envelope(account_id),
                },
            )
        for term_id, term_name, days in TERMS:
            store.insert(
                realm,
                "Term",
                {
                    "Name": term_name,
                    "Active": True,
                    "Type": "STANDARD",
                    "DueDays": days,
                    **envelope(term_id),
                },
            )
        for method_id, method_name, method_type in PAYMENT_METHODS:
            store.insert(
                realm,
                "PaymentMethod",
                {
                    "Name": method_name,
                    "Active": True,
                    "Type": method_type,
                    **envelope(method_id),
                },
            )
        store.insert(
            realm,
            "TaxCode",
            {
                "Name": "California",
                "Description": "California",
                "Active": True,
                "Taxable": True,
                "TaxGroup": True,
                "SalesTaxRateList": {"TaxRateDetail": []},
                "PurchaseTaxRateList": {"TaxRateDetail": []},
                **envelope(2),
            },
        )
        store.insert(
            realm,
            "Item",
            {
                "Name": "Services",
                "Active": True,
                "FullyQualifiedName": "Services",
                "Taxable": False,
                "UnitPrice": 0,
                "Type": "Service",
                "IncomeAccountRef": {"value": "1", "name": "Services"},
                "PurchaseCost": 0,
                "TrackQtyOnHand": False,
                **envelope(1),
            },
        )
        store.insert(
            realm,
            "Customer",
            {
                "Taxable": True,
                "Job": False,
                "BillWithParent": False,
                "Balance": 0,
                "BalanceWithJobs": 0,
                "CurrencyRef": USD,
                "PreferredDeliveryMethod": "Print",
                "FullyQualifiedName": "Amy's Bird Sanctuary",
                "CompanyName": "Amy's Bird Sanctuary",
                "DisplayName": "Amy's Bird Sanctuary",
                "PrintOnCheckName": "Amy's Bird Sanctuary",
                "GivenName": "Amy",
                "FamilyName": "Lauterbach",
                "Active": True,
                "PrimaryPhone": {"FreeFormNumber": "(650) 555-3311"},
                "PrimaryEmailAddr": {"Address": "Birds@Intuit.com"},
                "BillAddr": AMY_ADDRESS,
                "ShipAddr": AMY_ADDRESS,
                **envelope(1),
            },
        )
        store.insert(realm, "CompanyInfo", company_info(name))
        store.insert(realm, "Preferences", preferences())
    return realm


def company_info(name: str) -> dict[str, Any]:
    address = {
        "Id": "1",
        "Line1": "123 Sierra Way",
        "City": "San Pablo",
        "CountrySubDivisionCode": "CA",
        "PostalCode": "87999",
    }
    return {
        "CompanyName": name,
        "LegalName": name,
        "CompanyAddr": address,
        "CustomerCommunicationAddr": address,
        "LegalAddr": address,
        "PrimaryPhone": {"FreeFormNumber": "4081234567"},
        "CompanyStartDate": "2026-01-01",
        "FiscalYearStartMonth": "January",
        "Country": "US",
        "Email": {"Address": "noreply@quickbooks.com"},
        "WebAddr": {},
        "SupportedLanguages": "en",
        "NameValue": [
            {"Name": "NeoEnabled", "Value": "true"},
            {"Name": "IndustryType", "Value": "Landscaping Services"},
            {"Name": "OfferingSku", "Value": "QuickBooks Online Plus"},
        ],
        **envelope(1),
    }


def preferences() -> dict[str, Any]:
    return {
        "AccountingInfoPrefs": {
            "TrackDepartments": False,
            "ClassTrackingPerTxn": False,
            "ClassTrackingPerTxnLine": False,
            "CustomerTerminology": "Customers",
        },
        "ProductAndServicesPrefs": {
            "ForSales": True,
            "ForPurchase": True,
            "QuantityWithPriceAndRate": True,
            "QuantityOnHand": True,
        },
        "SalesFormsPrefs": {
            "CustomField": [],
            "AllowDeposit": True,
            "AllowDiscount": True,
            "DefaultDiscountAccount": "86",
            "AllowEstimates": True,
            "EstimateMessage": "",
            "ETransactionEnabledStatus": "NotApplicable",
            "AllowShipping": False,
            "DefaultShippingAccount": False,
            "IPNSupportEnabled": False,
            "AllowServiceDate": False,
            "CustomTxnNumbers": False,
            "DefaultTerms": {"value": NET_30},
            "AutoApplyCredit": True,
        },
        "EmailMessagesPrefs": {
            "InvoiceMessage": {
                "Subject": "Invoice from Craig's Design and Landscaping Services",
                "Message": "Your invoice is attached.",
            },
        },
        "VendorAndPurchasesPrefs": {"TrackingByCustomer": True, "BillableExpenseTracking": True},
        "TimeTrackingPrefs": {
            "UseServices": True,
            "BillCustomers": True,
            "WorkWeekStartDate": "Monday",
            "MarkTimeEntriesBillable": True,
        },
        "TaxPrefs": {"UsingSalesTax": True, "PartnerTaxEnabled": True},
        "CurrencyPrefs": {"MultiCurrencyEnabled": False, "HomeCurrency": {"value": "USD"}},
        "ReportPrefs": {"ReportBasis": "Accrual", "CalcAgingReportFromTxnDate": False},
        "OtherPrefs": {"NameValue": []},
        **envelope(1),
    }
