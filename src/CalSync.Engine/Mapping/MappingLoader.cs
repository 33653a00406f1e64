using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace CalSync.Engine.Mapping;

/// <summary>
/// Reads mapping profiles. The YAML is walked node by node (not deserialized into classes) so every
/// complaint can name the file, line and column of the exact key or value to fix.
/// </summary>
public static class MappingLoader
{
    private static readonly Dictionary<string, MeetingField> OutlookNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["subject"] = MeetingField.Subject, ["body"] = MeetingField.Body, ["location"] = MeetingField.Location,
        ["showAs"] = MeetingField.ShowAs, ["sensitivity"] = MeetingField.Sensitivity, ["importance"] = MeetingField.Importance,
        ["reminderMinutesBeforeStart"] = MeetingField.Reminder, ["categories"] = MeetingField.Categories,
        ["attendees"] = MeetingField.Attendees, ["isAllDay"] = MeetingField.IsAllDay,
    };

    private static readonly Dictionary<string, MeetingField> Bitrix24Names = new(StringComparer.OrdinalIgnoreCase)
    {
        ["name"] = MeetingField.Subject, ["description"] = MeetingField.Body, ["location"] = MeetingField.Location,
        ["accessibility"] = MeetingField.ShowAs, ["private"] = MeetingField.Sensitivity, ["importance"] = MeetingField.Importance,
        ["remind"] = MeetingField.Reminder, ["attendees"] = MeetingField.Attendees,
    };

    private static readonly MeetingField[] TextFields = { MeetingField.Subject, MeetingField.Body, MeetingField.Location };

    /// <summary>A built-in profile by name, or a YAML file by path.</summary>
    public static MappingProfile Resolve(string nameOrPath)
    {
        if (MappingProfile.BuiltInNames.Contains(nameOrPath, StringComparer.OrdinalIgnoreCase)) return BuiltIn(nameOrPath);
        if (!File.Exists(nameOrPath))
            throw new MappingException(nameOrPath, 0, 0, $"no such mapping file, and not a built-in profile ({string.Join(", ", MappingProfile.BuiltInNames)})");
        return LoadFile(nameOrPath);
    }

    public static MappingProfile BuiltIn(string name) => Parse(BuiltInText(name), name.ToLowerInvariant()) with { Source = "built-in" };

    /// <summary>The YAML text of a built-in profile (what Export-CalSyncMapping writes).</summary>
    public static string BuiltInText(string name)
    {
        var canonical = MappingProfile.BuiltInNames.FirstOrDefault(n => n.Equals(name, StringComparison.OrdinalIgnoreCase))
            ?? throw new MappingException(name, 0, 0, $"no built-in profile '{name}'; choose one of {string.Join(", ", MappingProfile.BuiltInNames)}");
        using var stream = typeof(MappingLoader).Assembly.GetManifestResourceStream($"CalSync.Mapping.{canonical}.yaml")
            ?? throw new InvalidOperationException($"built-in profile '{canonical}' is missing from the assembly");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    public static MappingProfile LoadFile(string path)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MappingException(path, 0, 0, $"cannot read the file: {e.Message}");
        }
        return Parse(text, path) with { Source = Path.GetFullPath(path) };
    }

    public static MappingProfile Parse(string yaml, string source)
    {
        var stream = new YamlStream();
        try { stream.Load(new StringReader(yaml)); }
        catch (YamlException e)
        {
            throw new MappingException(source, e.Start.Line, e.Start.Column, "not valid YAML: " + (e.InnerException?.Message ?? e.Message));
        }
        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new MappingException(source, 1, 1, "a mapping profile is one YAML document with keys such as 'schema', 'name' and 'fields'");
        return new Reader(source).Profile(root);
    }

    private sealed class Reader
    {
        private readonly string _source;

        public Reader(string source) => _source = source;

        private MappingException Error(YamlNode node, string problem) => new(_source, node.Start.Line, node.Start.Column, problem);

        public MappingProfile Profile(YamlMappingNode root)
        {
            var keys = Keys(root, "schema", "name", "description", "carry", "placeholder", "direction", "fields", "filters", "marks");
            if (!keys.TryGetValue("schema", out var schemaNode)) throw Error(root, "'schema: 1' is required");
            var schema = Scalar(schemaNode, "schema");
            if (schema != "1")
                throw Error(schemaNode, $"schema {schema} is not supported by this CalSync (it reads schema {MappingProfile.CurrentSchema}); update CalSync or use a schema 1 file");

            var profile = new MappingProfile
            {
                Name = keys.TryGetValue("name", out var n) ? Scalar(n, "name") : "custom",
                Description = keys.TryGetValue("description", out var d) ? Scalar(d, "description") : "",
                Carry = keys.TryGetValue("carry", out var c) ? Choice(c, "carry", ("details", Carry.Details), ("busy-only", Carry.BusyOnly)) : Carry.Details,
                Placeholder = keys.TryGetValue("placeholder", out var p) ? Scalar(p, "placeholder") : "Busy",
                Direction = keys.TryGetValue("direction", out var dir) ? Direction(dir) : FieldDirection.Both,
            };
            var fields = keys.TryGetValue("fields", out var f) ? Fields(f) : Array.Empty<FieldMap>();
            var (exclude, include) = keys.TryGetValue("filters", out var filters) ? Filters(filters) : (Array.Empty<Condition>(), Array.Empty<Condition>());
            var marks = keys.TryGetValue("marks", out var m) ? Marks(m, fields, profile.Direction) : Array.Empty<Mark>();
            if (profile.Carry == Carry.BusyOnly)
            {
                // Busy-only carries show-as and privacy and nothing else, whatever the file says.
                fields = fields.Where(x => x.Outlook is MeetingField.ShowAs or MeetingField.Sensitivity).ToArray();
                marks = Array.Empty<Mark>();
                if (string.IsNullOrWhiteSpace(profile.Placeholder)) throw Error(p ?? root, "busy-only profiles need a non-empty 'placeholder' title");
            }
            return profile with { Fields = fields, Exclude = exclude, Include = include, Marks = marks };
        }

        private FieldMap[] Fields(YamlNode node)
        {
            var list = new List<FieldMap>();
            foreach (var item in Sequence(node, "fields"))
            {
                var keys = Keys(Mapping(item, "a field entry"), "outlook", "bitrix24", "direction", "values");
                var outlookNode = Required(keys, "outlook", item);
                var bitrixNode = Required(keys, "bitrix24", item);
                var outlook = FieldName(outlookNode, OutlookNames, "Outlook");
                var bitrix = FieldName(bitrixNode, Bitrix24Names, "Bitrix24");
                if (outlook != bitrix && !(TextFields.Contains(outlook) && TextFields.Contains(bitrix)))
                    throw Error(bitrixNode, $"Outlook '{Scalar(outlookNode, "outlook")}' cannot be mapped onto Bitrix24 '{Scalar(bitrixNode, "bitrix24")}': only text fields (subject, body, location / name, description, location) may be crossed");
                if (list.Any(x => x.Outlook == outlook)) throw Error(outlookNode, $"Outlook field '{Scalar(outlookNode, "outlook")}' is mapped twice; a field may be mapped once per side");
                if (list.Any(x => x.Bitrix24 == bitrix)) throw Error(bitrixNode, $"Bitrix24 field '{Scalar(bitrixNode, "bitrix24")}' is mapped twice; a field may be mapped once per side");
                var direction = keys.TryGetValue("direction", out var dn) ? Direction(dn) : FieldDirection.Both;
                var values = keys.TryGetValue("values", out var vn) ? Values(vn, outlook) : Array.Empty<KeyValuePair<string, string>>();
                list.Add(new FieldMap(outlook, bitrix, direction, values));
            }
            return list.ToArray();
        }

        private KeyValuePair<string, string>[] Values(YamlNode node, MeetingField field)
        {
            var (outlookVocabulary, bitrixVocabulary) = Vocabulary.Of(field);
            if (outlookVocabulary is null) throw Error(node, $"'values' applies to show-as, sensitivity and importance only");
            var result = new List<KeyValuePair<string, string>>();
            foreach (var pair in Mapping(node, "values").Children)
            {
                var from = Scalar(pair.Key, "values");
                var to = Scalar(pair.Value, "values");
                var o = outlookVocabulary.FirstOrDefault(v => v.Equals(from, StringComparison.OrdinalIgnoreCase))
                    ?? throw Error(pair.Key, $"'{from}' is not an Outlook value here; use one of {string.Join(", ", outlookVocabulary)}");
                var b = bitrixVocabulary!.FirstOrDefault(v => v.Equals(to, StringComparison.OrdinalIgnoreCase))
                    ?? throw Error(pair.Value, $"'{to}' is not a Bitrix24 value here; use one of {string.Join(", ", bitrixVocabulary!)}");
                result.Add(new KeyValuePair<string, string>(o, b));
            }
            return result.ToArray();
        }

        private (Condition[] Exclude, Condition[] Include) Filters(YamlNode node)
        {
            var keys = Keys(Mapping(node, "filters"), "exclude", "include");
            return (keys.TryGetValue("exclude", out var e) ? Conditions(e, "exclude") : Array.Empty<Condition>(),
                    keys.TryGetValue("include", out var i) ? Conditions(i, "include") : Array.Empty<Condition>());
        }

        private Condition[] Conditions(YamlNode node, string what) =>
            Sequence(node, what).Select(item =>
            {
                var keys = Keys(Mapping(item, "a filter entry"), "field", "equals", "contains", "matches", "in");
                var fieldNode = Required(keys, "field", item);
                var field = FieldName(fieldNode, OutlookNames, "Outlook", Bitrix24Names);
                var operators = keys.Keys.Where(k => k != "field").ToArray();
                if (operators.Length != 1) throw Error(item, "a filter entry needs exactly one of 'equals', 'contains', 'matches' or 'in'");
                var valueNode = keys[operators[0]];
                switch (operators[0])
                {
                    case "in":
                        return new Condition(field, ConditionOperator.In, Sequence(valueNode, "in").Select(v => Scalar(v, "in")).ToArray(), null);
                    case "matches":
                        var pattern = Scalar(valueNode, "matches");
                        try
                        {
                            return new Condition(field, ConditionOperator.Matches, new[] { pattern },
                                new Regex(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)));
                        }
                        catch (ArgumentException e) { throw Error(valueNode, $"'{pattern}' is not a valid regular expression: {e.Message}"); }
                    default:
                        return new Condition(field, operators[0] == "equals" ? ConditionOperator.Equals : ConditionOperator.Contains, new[] { Scalar(valueNode, operators[0]) }, null);
                }
            }).ToArray();

        private Mark[] Marks(YamlNode node, IReadOnlyList<FieldMap> fields, FieldDirection profileDirection) =>
            Sequence(node, "marks").Select(item =>
            {
                var keys = Keys(Mapping(item, "a mark entry"), "field", "to-bitrix24", "to-outlook");
                var fieldNode = Required(keys, "field", item);
                var field = FieldName(fieldNode, OutlookNames, "Outlook");
                if (!TextFields.Contains(field)) throw Error(fieldNode, "marks apply to text fields only (subject, body, location)");
                var map = fields.FirstOrDefault(f => f.Outlook == field)
                    ?? throw Error(fieldNode, $"'{Scalar(fieldNode, "field")}' is not in 'fields', so a mark on it would have no effect");
                var oneWay = map.Direction != FieldDirection.Both || profileDirection != FieldDirection.Both;
                var toBitrix = keys.TryGetValue("to-bitrix24", out var b) ? Edit(b, oneWay) : null;
                var toOutlook = keys.TryGetValue("to-outlook", out var o) ? Edit(o, oneWay) : null;
                return new Mark(field, toBitrix, toOutlook);
            }).ToArray();

        private MarkEdit Edit(YamlNode node, bool oneWay)
        {
            var keys = Keys(Mapping(node, "a mark"), "prefix", "suffix", "set");
            if (keys.TryGetValue("set", out var set))
            {
                // An irreversible edit on a two-way field would be read back as a change and grow forever.
                if (!oneWay) throw Error(set, "'set' cannot be undone on the way back, so it is allowed only on a one-way field (direction: to-bitrix24 or to-outlook); use 'prefix' or 'suffix' on a two-way field");
                if (keys.Count > 1) throw Error(node, "'set' replaces the value; do not combine it with 'prefix' or 'suffix'");
            }
            string? Text(string key) => keys.TryGetValue(key, out var v) ? Scalar(v, key) : null;
            var edit = new MarkEdit(Text("prefix"), Text("suffix"), Text("set"));
            if (edit.Prefix == "" || edit.Suffix == "") throw Error(node, "an empty prefix or suffix marks nothing; remove it");
            return edit;
        }

        private FieldDirection Direction(YamlNode node) =>
            Choice(node, "direction", ("both", FieldDirection.Both), ("to-bitrix24", FieldDirection.ToBitrix24), ("to-outlook", FieldDirection.ToOutlook));

        private MeetingField FieldName(YamlNode node, Dictionary<string, MeetingField> names, string side, Dictionary<string, MeetingField>? aliases = null)
        {
            var text = Scalar(node, "field");
            if (names.TryGetValue(text, out var field) || (aliases != null && aliases.TryGetValue(text, out field))) return field;
            throw Error(node, $"unknown {side} field '{text}'; use one of {string.Join(", ", names.Keys)}");
        }

        private T Choice<T>(YamlNode node, string key, params (string Text, T Value)[] choices)
        {
            var text = Scalar(node, key);
            foreach (var (t, v) in choices) if (t.Equals(text, StringComparison.OrdinalIgnoreCase)) return v;
            throw Error(node, $"'{text}' is not a valid {key}; use one of {string.Join(", ", choices.Select(c => c.Text))}");
        }

        private Dictionary<string, YamlNode> Keys(YamlMappingNode node, params string[] allowed)
        {
            var result = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
            foreach (var pair in node.Children)
            {
                var key = Scalar(pair.Key, "key");
                if (!allowed.Contains(key)) throw Error(pair.Key, $"unknown key '{key}'; expected one of {string.Join(", ", allowed)}");
                if (result.ContainsKey(key)) throw Error(pair.Key, $"'{key}' is given twice");
                result[key] = pair.Value;
            }
            return result;
        }

        private YamlNode Required(Dictionary<string, YamlNode> keys, string key, YamlNode owner) =>
            keys.TryGetValue(key, out var node) ? node : throw Error(owner, $"'{key}' is required here");

        private YamlMappingNode Mapping(YamlNode node, string what) =>
            node as YamlMappingNode ?? throw Error(node, $"{what} must be a set of 'key: value' lines");

        private IEnumerable<YamlNode> Sequence(YamlNode node, string what) => node switch
        {
            YamlSequenceNode s => s.Children,
            YamlScalarNode { Value: null or "" } => Array.Empty<YamlNode>(),
            _ => throw Error(node, $"'{what}' must be a list ('- ...' entries or [])"),
        };

        private string Scalar(YamlNode node, string what) =>
            node is YamlScalarNode s ? s.Value ?? "" : throw Error(node, $"'{what}' must be a single value, not a list or a map");
    }
}
