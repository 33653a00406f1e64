using System.Globalization;

namespace CalSync.Sandbox.Bitrix24;

/// <summary>Calendar error texts (keys of the source language file, docs/bitrix24-api.md, "Calendar error texts").</summary>
internal enum CalendarMessage
{
    AccessDenied,
    ParamMissing,
    ParamInvalid,
    SectionInvalid,
    EventCreateError,
    EventUpdateError,
    EventDeleteError,
    EventIdMissing,
    RecurrenceModeInvalid,
    CrmFieldsNotArray,
    SectionIdMissing,
    SectionCreateError,
    SectionUpdateError,
    SectionDeleteError,
}

/// <summary>
/// The portal's regional settings: date formats (docs/bitrix24-api.md, "Portal culture and dates") and the language of calendar errors and default texts.
/// </summary>
internal sealed class PortalCulture
{
    public static readonly PortalCulture English = new(
        "en", "MM/dd/yyyy hh:mm:ss tt", "MM/dd/yyyy", "New event",
        new Dictionary<CalendarMessage, string>
        {
            [CalendarMessage.AccessDenied] = "Access denied",
            [CalendarMessage.ParamMissing] = "The mandatory parameter \"#PARAM_NAME#\" is not specified for the method \"#REST_METHOD#\"",
            [CalendarMessage.ParamInvalid] = "Invalid parameter value for \"#PARAM_NAME#\"",
            [CalendarMessage.SectionInvalid] = "You have specified an invalid calendar section ID or the current user does not have access to it",
            [CalendarMessage.EventCreateError] = "Error while creating event",
            [CalendarMessage.EventUpdateError] = "Error while editing event",
            [CalendarMessage.EventDeleteError] = "Error while deleting event",
            [CalendarMessage.EventIdMissing] = "Event ID is not specified",
            [CalendarMessage.RecurrenceModeInvalid] = "Invalid edit type for recurring event.",
            [CalendarMessage.CrmFieldsNotArray] = "Event to CRM association list must be an array.",
            [CalendarMessage.SectionIdMissing] = "Section ID is not specified",
            [CalendarMessage.SectionCreateError] = "Error while creating section",
            [CalendarMessage.SectionUpdateError] = "Error while editing section",
            [CalendarMessage.SectionDeleteError] = "Error while deleting section",
        });

    public static readonly PortalCulture German = new(
        "de", "dd.MM.yyyy HH:mm:ss", "dd.MM.yyyy", "Neuer Termin",
        new Dictionary<CalendarMessage, string>
        {
            [CalendarMessage.AccessDenied] = "Zugriff verweigert",
            [CalendarMessage.ParamMissing] = "Der erforderliche Parameter \"#PARAM_NAME#\" für die Methode \"#REST_METHOD#\" ist nicht angegeben",
            [CalendarMessage.ParamInvalid] = "Ungültiger Wert für den Parameter \"#PARAM_NAME#\"",
            [CalendarMessage.SectionInvalid] = "Sie haben eine ungültige Kalender-ID angegeben oder der aktuelle Nutzer hat keinen Zugriff darauf",
            [CalendarMessage.EventCreateError] = "Fehler beim Erstellen des Termins",
            [CalendarMessage.EventUpdateError] = "Fehler beim Bearbeiten des Termins",
            [CalendarMessage.EventDeleteError] = "Fehler beim Löschen des Termins",
            [CalendarMessage.EventIdMissing] = "Die Termin-ID ist nicht angegeben",
            [CalendarMessage.RecurrenceModeInvalid] = "Ungültiger Bearbeitungstyp für einen wiederkehrenden Termin.",
            [CalendarMessage.CrmFieldsNotArray] = "Die Liste der CRM-Verknüpfungen muss ein Array sein.",
            [CalendarMessage.SectionIdMissing] = "Die Kalender-ID ist nicht angegeben",
            [CalendarMessage.SectionCreateError] = "Fehler beim Erstellen des Kalenders",
            [CalendarMessage.SectionUpdateError] = "Fehler beim Bearbeiten des Kalenders",
            [CalendarMessage.SectionDeleteError] = "Fehler beim Löschen des Kalenders",
        });

    private readonly string _fullFormat;
    private readonly string _shortFormat;
    private readonly IReadOnlyDictionary<CalendarMessage, string> _messages;

    private PortalCulture(string code, string fullFormat, string shortFormat, string newEventName, IReadOnlyDictionary<CalendarMessage, string> messages)
    {
        Code = code;
        _fullFormat = fullFormat;
        _shortFormat = shortFormat;
        NewEventName = newEventName;
        _messages = messages;
    }

    public string Code { get; }
    public string NewEventName { get; }

    public static PortalCulture For(string code) => code.Trim().ToLowerInvariant() switch
    {
        "en" => English,
        "de" => German,
        _ => throw new ArgumentException($"unsupported portal culture '{code}' (use en or de)", nameof(code)),
    };

    /// <summary>FORMAT_DATETIME: <c>12/11/2024 05:59:00 pm</c> (en, lowercase am/pm) or <c>11.12.2024 17:59:00</c> (de).</summary>
    public string FormatDateTime(DateTime wall) => wall.ToString(_fullFormat, CultureInfo.InvariantCulture).ToLowerInvariant();

    /// <summary>FORMAT_DATE: <c>12/11/2024</c> or <c>11.12.2024</c>.</summary>
    public string FormatDate(DateOnly date) => date.ToString(_shortFormat, CultureInfo.InvariantCulture);

    /// <summary>Reads this culture's own full or short format back (clients may echo DATE_FROM or EXDATE).</summary>
    public bool TryParse(string text, out DateTime wall) =>
        DateTime.TryParseExact(text.Trim(), [_fullFormat, _fullFormat.Replace("hh", "HH").Replace(" tt", ""), _shortFormat],
            CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out wall);

    public string Text(CalendarMessage message, string? param = null, string? method = null) =>
        _messages[message].Replace("#PARAM_NAME#", param ?? "").Replace("#REST_METHOD#", method ?? "");

    public Bitrix24RestException Error(CalendarMessage message, string? param = null, string? method = null) =>
        Bitrix24RestException.Business(Text(message, param, method));

    /// <summary>PHP <c>D M d Y H:i:s</c>: locale-independent, e.g. <c>Wed Dec 11 2024 17:59:00</c>.</summary>
    public static string Formatted(DateTime wall, bool allDay) =>
        wall.ToString(allDay ? "ddd MMM dd yyyy" : "ddd MMM dd yyyy HH:mm:ss", CultureInfo.InvariantCulture);

    public string DayNames(IEnumerable<DayOfWeek> days) => string.Join(", ", days.Select(d =>
        Code == "de" ? CultureInfo.GetCultureInfo("de-DE").DateTimeFormat.GetAbbreviatedDayName(d).TrimEnd('.')
                     : CultureInfo.InvariantCulture.DateTimeFormat.GetAbbreviatedDayName(d)));
}
