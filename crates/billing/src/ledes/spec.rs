//! The LEDES 1998B and 98BI record layouts: field names, value kinds, lengths and requirements.

/// Which LEDES flavour a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum LedesFormat {
    Ledes1998B,
    Ledes98BI,
}

impl LedesFormat {
    /// The first record of a file, without its `[]` terminator.
    pub fn header(self) -> &'static str {
        match self {
            LedesFormat::Ledes1998B => "LEDES1998B",
            LedesFormat::Ledes98BI => "LEDES98BI V2",
        }
    }

    pub fn fields(self) -> &'static [FieldSpec] {
        match self {
            LedesFormat::Ledes1998B => &FIELDS_98BI[..FIELDS_1998B_COUNT],
            LedesFormat::Ledes98BI => FIELDS_98BI,
        }
    }

    pub fn field_names(self) -> impl Iterator<Item = &'static str> {
        self.fields().iter().map(|f| f.name)
    }
}

/// What a field's value must look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// YYYYMMDD, a real calendar date.
    Date,
    /// Free text up to this many characters.
    Char(usize),
    /// Long free text (descriptions): at most 15 KB.
    Text,
    /// Signed decimal with up to this many integer digits and 4 decimals.
    Amount(usize),
    /// F, E, IF or IE.
    LineType,
    /// One of the LEDES timekeeper classifications.
    Classification,
    /// ISO 4217 currency code.
    Currency,
    /// Two- or three-letter country code (98BI asks for ISO 3166 alpha-3).
    Country,
    /// 98BI ACCOUNT_TYPE: O or T.
    AccountType,
    /// A tax rate as a fraction: 0 ≤ rate < 1, at most 10 decimals.
    TaxRate,
}

/// When a field must have a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Required {
    Always,
    Optional,
    /// Required on fee (F) lines.
    OnFeeLines,
    /// Required on fee and expense (F, E) lines; may be empty on IF / IE adjustment lines.
    OnFeeAndExpenseLines,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    pub name: &'static str,
    pub kind: FieldKind,
    pub required: Required,
    /// Same value on every line of one invoice.
    pub invoice_level: bool,
}

const fn field(
    name: &'static str,
    kind: FieldKind,
    required: Required,
    invoice_level: bool,
) -> FieldSpec {
    FieldSpec { name, kind, required, invoice_level }
}

use FieldKind::*;
use Required::*;

/// Number of fields in a LEDES 1998B record: the first 24 of the 98BI layout.
pub const FIELDS_1998B_COUNT: usize = 24;

/// 0-based positions used by cross-field checks.
pub mod idx {
    pub const INVOICE_DATE: usize = 0;
    pub const INVOICE_NUMBER: usize = 1;
    pub const CLIENT_ID: usize = 2;
    pub const INVOICE_TOTAL: usize = 4;
    pub const BILLING_START_DATE: usize = 5;
    pub const BILLING_END_DATE: usize = 6;
    pub const LINE_ITEM_NUMBER: usize = 8;
    pub const LINE_TYPE: usize = 9;
    pub const UNITS: usize = 10;
    pub const ADJUSTMENT: usize = 11;
    pub const LINE_TOTAL: usize = 12;
    pub const UNIT_COST: usize = 20;
    pub const TIMEKEEPER_NAME: usize = 21;
    pub const INVOICE_TAX_TOTAL: usize = 27;
    pub const INVOICE_NET_TOTAL: usize = 28;
    pub const LINE_TAX_TOTAL: usize = 48;
}

/// The 98BI (version 2) layout; its first 24 fields are exactly the 1998B layout.
pub const FIELDS_98BI: &[FieldSpec] = &[
    field("INVOICE_DATE", Date, Always, true),
    field("INVOICE_NUMBER", Char(20), Always, true),
    field("CLIENT_ID", Char(20), Always, true),
    field("LAW_FIRM_MATTER_ID", Char(20), Always, true),
    field("INVOICE_TOTAL", Amount(12), Always, true),
    field("BILLING_START_DATE", Date, Always, true),
    field("BILLING_END_DATE", Date, Always, true),
    field("INVOICE_DESCRIPTION", Text, Optional, true),
    field("LINE_ITEM_NUMBER", Char(20), Always, false),
    field("EXP/FEE/INV_ADJ_TYPE", LineType, Always, false),
    field("LINE_ITEM_NUMBER_OF_UNITS", Amount(10), OnFeeAndExpenseLines, false),
    field("LINE_ITEM_ADJUSTMENT_AMOUNT", Amount(10), Optional, false),
    field("LINE_ITEM_TOTAL", Amount(10), Always, false),
    field("LINE_ITEM_DATE", Date, Always, false),
    field("LINE_ITEM_TASK_CODE", Char(20), Optional, false),
    field("LINE_ITEM_EXPENSE_CODE", Char(20), Optional, false),
    field("LINE_ITEM_ACTIVITY_CODE", Char(20), Optional, false),
    field("TIMEKEEPER_ID", Char(20), OnFeeLines, false),
    field("LINE_ITEM_DESCRIPTION", Text, Optional, false),
    field("LAW_FIRM_ID", Char(20), Always, true),
    field("LINE_ITEM_UNIT_COST", Amount(10), OnFeeAndExpenseLines, false),
    // Required on fee lines in 1998B; in 98BI the split last / first names carry the requirement
    // (see `required_in`).
    field("TIMEKEEPER_NAME", Char(30), OnFeeLines, false),
    field("TIMEKEEPER_CLASSIFICATION", Classification, OnFeeLines, false),
    field("CLIENT_MATTER_ID", Char(20), Optional, true),
    field("PO_NUMBER", Char(100), Optional, true),
    field("CLIENT_TAX_ID", Char(20), Optional, true),
    field("MATTER_NAME", Char(255), Always, true),
    field("INVOICE_TAX_TOTAL", Amount(12), Optional, true),
    field("INVOICE_NET_TOTAL", Amount(12), Always, true),
    field("INVOICE_CURRENCY", Currency, Optional, true),
    field("TIMEKEEPER_LAST_NAME", Char(30), OnFeeLines, false),
    field("TIMEKEEPER_FIRST_NAME", Char(30), Optional, false),
    field("ACCOUNT_TYPE", AccountType, Optional, false),
    field("LAW_FIRM_NAME", Char(60), Optional, true),
    field("LAW_FIRM_ADDRESS_1", Char(60), Optional, true),
    field("LAW_FIRM_ADDRESS_2", Char(60), Optional, true),
    field("LAW_FIRM_CITY", Char(40), Optional, true),
    field("LAW_FIRM_STATEorREGION", Char(40), Optional, true),
    field("LAW_FIRM_POSTCODE", Char(20), Optional, true),
    field("LAW_FIRM_COUNTRY", Country, Optional, true),
    field("CLIENT_NAME", Char(60), Optional, true),
    field("CLIENT_ADDRESS_1", Char(60), Optional, true),
    field("CLIENT_ADDRESS_2", Char(60), Optional, true),
    field("CLIENT_CITY", Char(40), Optional, true),
    field("CLIENT_STATEorREGION", Char(40), Optional, true),
    field("CLIENT_POSTCODE", Char(20), Optional, true),
    field("CLIENT_COUNTRY", Country, Optional, true),
    field("LINE_ITEM_TAX_RATE", TaxRate, Optional, false),
    field("LINE_ITEM_TAX_TOTAL", Amount(10), Optional, false),
    field("LINE_ITEM_TAX_TYPE", Char(20), Optional, false),
    field("INVOICE_REPORTED_TAX_TOTAL", Amount(12), Optional, true),
    field("INVOICE_TAX_CURRENCY", Currency, Optional, true),
];

/// A field's requirement in a given format.
pub fn required_in(format: LedesFormat, position: usize) -> Required {
    if format == LedesFormat::Ledes98BI && position == idx::TIMEKEEPER_NAME {
        return Optional;
    }
    FIELDS_98BI[position].required
}

/// Timekeeper classifications: the LEDES 1998B list and the later UTBMS timekeeper code set.
pub const TIMEKEEPER_CLASSIFICATIONS: &[&str] = &[
    // LEDES 1998B specification.
    "PARTNR", "ASSOC", "OFCOUN", "PARLEG", "LGLAST", "SECRET", "CLERK", "LIBRAR", "OTHER",
    // UTBMS timekeeper classification code set.
    "ADJSTR", "ADJSMT", "ANALST", "ARBITR", "TRANEE", "AUDITR", "CLKSEC", "CONSLT", "TEMPAT",
    "TEMPOS", "CSTCNS", "CTRPTR", "DSCATT", "DSCPMG", "DSCANJ", "DSCANS", "DOCCDR", "DOCRAT",
    "DOCRNA", "EVDEVL", "EXPERT", "FLTFEE", "FORANL", "HLNLPF", "INVSTG", "IPSVPV", "IPAGNT",
    "LGLINT", "LGPRMG", "LIBRRN", "MEDITR", "MDRCRV", "NBOTHR", "PARALG", "RSRCHR", "RSPROF",
    "SECNDE", "SPAGNT", "SOLDSG", "STFATT", "STFCNS", "TPADMN", "TRAINR", "TRNDEV", "TRNFAG",
    "TRANSL", "VIDOGR",
];

/// Active ISO 4217 currency codes (plus the fund and precious-metal codes).
pub const ISO_4217: &str = "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL \
BSD BTN BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR \
FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HRK HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF \
KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN \
NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD \
SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF \
XAG XAU XBA XBB XBC XBD XCD XCG XDR XOF XPD XPF XPT XSU XTS XUA XXX YER ZAR ZMW ZWG ZWL";

pub fn is_currency(code: &str) -> bool {
    code.len() == 3 && ISO_4217.split_ascii_whitespace().any(|c| c == code)
}
