using System;
using CalSync.Engine.Model;

namespace CalSync.Engine.Mapping;

/// <summary>
/// The value names each service uses for the typed fields (Graph's and Bitrix24's own words): the profiles' value
/// translations and the Bitrix24 connector's reads and writes use these, so a word is defined once.
/// </summary>
public static class Vocabulary
{
    public static readonly string[] OutlookShowAs = { "free", "tentative", "busy", "oof", "workingElsewhere", "unknown" };
    public static readonly string[] Bitrix24Accessibility = { "busy", "quest", "absent", "free" };
    public static readonly string[] OutlookSensitivity = { "normal", "personal", "private", "confidential" };
    public static readonly string[] Bitrix24Private = { "false", "true" };
    public static readonly string[] ImportanceNames = { "low", "normal", "high" };

    public static (string[]? Outlook, string[]? Bitrix24) Of(MeetingField field) => field switch
    {
        MeetingField.ShowAs => (OutlookShowAs, Bitrix24Accessibility),
        MeetingField.Sensitivity => (OutlookSensitivity, Bitrix24Private),
        MeetingField.Importance => (ImportanceNames, ImportanceNames),
        _ => (null, null),
    };

    public static string OutlookName(ShowAs value) => OutlookShowAs[(int)value];
    public static ShowAs FromOutlookShowAs(string name) => (ShowAs)IndexOf(OutlookShowAs, name);

    public static string Bitrix24Name(ShowAs value) => value switch
    {
        ShowAs.Free => "free",
        ShowAs.Tentative => "quest",
        ShowAs.Oof => "absent",
        _ => "busy",
    };

    public static ShowAs FromBitrix24Accessibility(string name) => name switch
    {
        "free" => ShowAs.Free,
        "quest" => ShowAs.Tentative,
        "absent" => ShowAs.Oof,
        _ => ShowAs.Busy,
    };

    public static string OutlookName(Sensitivity value) => OutlookSensitivity[(int)value];
    public static Sensitivity FromOutlookSensitivity(string name) => (Sensitivity)IndexOf(OutlookSensitivity, name);
    public static string Bitrix24Name(Sensitivity value) => value == Sensitivity.Normal ? "false" : "true";
    public static Sensitivity FromBitrix24Private(string name) => name == "true" ? Sensitivity.Private : Sensitivity.Normal;

    public static string Name(Importance value) => ImportanceNames[(int)value];
    public static Importance FromImportance(string name) => (Importance)IndexOf(ImportanceNames, name);
    /// <summary>Bitrix24's IMPORTANCE as read: a word it does not use is normal.</summary>
    public static Importance FromBitrix24Importance(string name) => IndexOf(ImportanceNames, name) is var i and >= 0 ? (Importance)i : Importance.Normal;

    /// <summary>Array.FindIndex without a closure per call: every planned write looks up several names.</summary>
    private static int IndexOf(string[] names, string name)
    {
        for (var i = 0; i < names.Length; i++)
            if (names[i].Equals(name, StringComparison.OrdinalIgnoreCase)) return i;
        return -1;
    }
}
