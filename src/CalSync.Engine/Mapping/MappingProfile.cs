using System;
using System.Collections.Generic;
using System.Text.RegularExpressions;

namespace CalSync.Engine.Mapping;

public enum Carry { Details, BusyOnly }

/// <summary>Which way a field (or a whole profile) travels.</summary>
public enum FieldDirection { Both, ToBitrix24, ToOutlook }

/// <summary>
/// A meeting field as the mapping names it. Outlook and Bitrix24 spell them differently; text fields
/// may be mapped onto each other, the typed ones only onto their counterpart.
/// </summary>
public enum MeetingField { Subject, Body, Location, ShowAs, Sensitivity, Importance, Reminder, Categories, Attendees, IsAllDay }

/// <summary>One field that travels: its name on each side, its direction and its value translation (Outlook value → Bitrix24 value).</summary>
public sealed record FieldMap(MeetingField Outlook, MeetingField Bitrix24, FieldDirection Direction, IReadOnlyList<KeyValuePair<string, string>> Values)
{
    public bool Travels(Model.Side from) =>
        Direction == FieldDirection.Both || Direction == (from == Model.Side.Outlook ? FieldDirection.ToBitrix24 : FieldDirection.ToOutlook);
}

public enum ConditionOperator { Equals, Contains, Matches, In }

/// <summary>A filter entry: a field compared with a value (case-insensitive; lists match when any element does).</summary>
public sealed record Condition(MeetingField Field, ConditionOperator Operator, IReadOnlyList<string> Values, Regex? Pattern);

/// <summary>A reversible (prefix, suffix) or one-way (set) edit of a copy's field.</summary>
public sealed record MarkEdit(string? Prefix, string? Suffix, string? Set);

public sealed record Mark(MeetingField Field, MarkEdit? ToBitrix24, MarkEdit? ToOutlook)
{
    public MarkEdit? Toward(Model.Side target) => target == Model.Side.Bitrix24 ? ToBitrix24 : ToOutlook;
}

/// <summary>A mapping profile (docs/mapping.md), validated. Built-ins: default, busy-only, busy-only-one-way.</summary>
public sealed record MappingProfile
{
    public const int CurrentSchema = 1;

    public string Name { get; init; } = "";
    public string Description { get; init; } = "";
    /// <summary>Where the profile came from: "built-in" or the file path.</summary>
    public string Source { get; init; } = "built-in";
    public Carry Carry { get; init; } = Carry.Details;
    public string Placeholder { get; init; } = "Busy";
    /// <summary>A one-way profile limits the sync to that direction.</summary>
    public FieldDirection Direction { get; init; } = FieldDirection.Both;
    public IReadOnlyList<FieldMap> Fields { get; init; } = Array.Empty<FieldMap>();
    public IReadOnlyList<Condition> Exclude { get; init; } = Array.Empty<Condition>();
    public IReadOnlyList<Condition> Include { get; init; } = Array.Empty<Condition>();
    public IReadOnlyList<Mark> Marks { get; init; } = Array.Empty<Mark>();

    public static IReadOnlyList<string> BuiltInNames { get; } = new[] { "default", "busy-only", "busy-only-one-way" };
}

/// <summary>A mapping file that cannot be used: says which file, where and what to fix.</summary>
public sealed class MappingException : Exception
{
    public MappingException(string source, long line, long column, string problem)
        : base(line > 0 ? $"{source}({line},{column}): {problem}" : $"{source}: {problem}")
    {
        File = source;
        Line = line;
        Column = column;
        Problem = problem;
    }

    /// <summary>File path or built-in name.</summary>
    public string File { get; }
    public long Line { get; }
    public long Column { get; }
    public string Problem { get; }
}
