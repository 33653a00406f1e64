using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace CalSync.Sandbox.Graph;

/// <summary>
/// The subset of OData <c>$filter</c> calendar clients use: comparisons, and/or/not, contains/startswith/endswith,
/// cast, and lambdas such as <c>singleValueExtendedProperties/Any(ep: ep/id eq '…' and ep/value eq '…')</c>.
/// String comparison is case-insensitive (Exchange), except the Name part of extended property ids. An extended
/// property's value compared with null is refused with 400, as for any filter the docs do not list.
/// </summary>
internal sealed partial class ODataFilter
{
    private readonly List<string> _tokens;
    private readonly HashSet<string> _extendedVariables = new(StringComparer.OrdinalIgnoreCase);
    private int _pos;

    private ODataFilter(List<string> tokens) => _tokens = tokens;

    public static Func<JsonObject, bool> Parse(string text)
    {
        try
        {
            var parser = new ODataFilter(Tokenize(text));
            var expr = parser.Or();
            if (parser._pos != parser._tokens.Count) throw Invalid();
            return item => Truthy(expr(new Scope(item, new Dictionary<string, JsonNode?>(StringComparer.OrdinalIgnoreCase))));
        }
        catch (Exception ex) when (ex is not GraphException)
        {
            throw Invalid();
        }
    }

    private static GraphException Invalid() =>
        new(400, "ErrorInvalidUrlQueryFilter", "The query filter contains one or more invalid nodes.");

    private sealed record Scope(JsonObject Root, Dictionary<string, JsonNode?> Variables);

    private delegate object? Expr(Scope scope);

    private string? Peek => _pos < _tokens.Count ? _tokens[_pos] : null;
    private bool IsKeyword(string word) => string.Equals(Peek, word, StringComparison.OrdinalIgnoreCase);
    private string Next() => _pos < _tokens.Count ? _tokens[_pos++] : throw Invalid();
    private void Expect(string token) { if (Next() != token) throw Invalid(); }

    private Expr Or()
    {
        var left = And();
        while (IsKeyword("or"))
        {
            _pos++;
            var (l, r) = (left, And());
            left = s => Truthy(l(s)) || Truthy(r(s));
        }
        return left;
    }

    private Expr And()
    {
        var left = Unary();
        while (IsKeyword("and"))
        {
            _pos++;
            var (l, r) = (left, Unary());
            left = s => Truthy(l(s)) && Truthy(r(s));
        }
        return left;
    }

    private Expr Unary()
    {
        if (IsKeyword("not"))
        {
            _pos++;
            var inner = Unary();
            return s => !Truthy(inner(s));
        }
        var leftToken = Peek;
        var left = Value();
        var op = Peek?.ToLowerInvariant();
        if (op is "eq" or "ne" or "gt" or "ge" or "lt" or "le")
        {
            _pos++;
            var rightToken = Peek;
            var right = Value();
            // Extended property values compare against string literals only (docs/graph-api.md, "Listing stamped events").
            if ((IsNull(leftToken) && IsExtendedValue(rightToken)) || (IsNull(rightToken) && IsExtendedValue(leftToken))) throw Invalid();
            return s => Compare(op, left(s), right(s));
        }
        return left;
    }

    private static bool IsNull(string? token) => string.Equals(token, "null", StringComparison.OrdinalIgnoreCase);

    private bool IsExtendedValue(string? token) =>
        token?.Split('/') is [var variable, var property] && _extendedVariables.Contains(variable) && property.Equals("value", StringComparison.OrdinalIgnoreCase);

    private Expr Value()
    {
        var token = Next();
        if (token == "(")
        {
            var inner = Or();
            Expect(")");
            return inner;
        }
        if (token.StartsWith('\''))
        {
            var literal = token[1..^1].Replace("''", "'");
            return _ => literal;
        }
        if (token.Equals("true", StringComparison.OrdinalIgnoreCase)) return _ => true;
        if (token.Equals("false", StringComparison.OrdinalIgnoreCase)) return _ => false;
        if (token.Equals("null", StringComparison.OrdinalIgnoreCase)) return _ => null;
        if (double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)) return _ => number;
        if (Peek == "(" && !token.Contains('/')) return Function(token);
        return Path(token);
    }

    private Expr Function(string name)
    {
        Expect("(");
        var args = new List<Expr> { Or() };
        while (Peek == ",")
        {
            _pos++;
            args.Add(Peek is { } t && t.StartsWith("Edm.", StringComparison.Ordinal) ? TypeName(Next()) : Or());
        }
        Expect(")");
        string Str(Scope s, int i) => Convert.ToString(args[i](s), CultureInfo.InvariantCulture) ?? "";
        return name.ToLowerInvariant() switch
        {
            "contains" => s => Str(s, 0).Contains(Str(s, 1), StringComparison.OrdinalIgnoreCase),
            "startswith" => s => Str(s, 0).StartsWith(Str(s, 1), StringComparison.OrdinalIgnoreCase),
            "endswith" => s => Str(s, 0).EndsWith(Str(s, 1), StringComparison.OrdinalIgnoreCase),
            "tolower" => s => Str(s, 0).ToLowerInvariant(),
            "cast" => s => double.TryParse(Str(s, 0), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : Str(s, 0),
            _ => throw Invalid(),
        };
    }

    private static Expr TypeName(string name) => _ => name;

    /// <summary>A property path, possibly ending in a lambda: <c>a/b/Any(x: …)</c>.</summary>
    private Expr Path(string token)
    {
        var parts = token.Split('/');
        var last = parts[^1].ToLowerInvariant();
        if (last is "any" or "all" && Peek == "(")
        {
            Expect("(");
            var variable = Next();
            Expect(":");
            var collection = parts[..^1];
            var extended = collection[^1].EndsWith("ValueExtendedProperties", StringComparison.OrdinalIgnoreCase) && _extendedVariables.Add(variable);
            var body = Or();
            if (extended) _extendedVariables.Remove(variable);
            Expect(")");
            return s =>
            {
                var items = Resolve(s, collection) as JsonArray ?? [];
                bool Test(JsonNode? item)
                {
                    var vars = new Dictionary<string, JsonNode?>(s.Variables, StringComparer.OrdinalIgnoreCase) { [variable] = item };
                    return Truthy(body(s with { Variables = vars }));
                }
                return last == "any" ? items.Any(Test) : items.All(Test);
            };
        }
        return s => Scalar(Resolve(s, parts));
    }

    /// <summary>JSON scalars as CLR values (strings, bools, doubles) so comparisons use their own rules.</summary>
    /// (Typed as object explicitly: JsonNode's implicit conversions would otherwise turn them back into nodes.)
    private static object? Scalar(JsonNode? node)
    {
        if (node is not JsonValue v) return node;
        return v.GetValueKind() switch
        {
            System.Text.Json.JsonValueKind.String => (object)v.ToString(),
            System.Text.Json.JsonValueKind.True => true,
            System.Text.Json.JsonValueKind.False => false,
            System.Text.Json.JsonValueKind.Number => double.Parse(v.ToJsonString(), CultureInfo.InvariantCulture),
            _ => null,
        };
    }

    private static JsonNode? Resolve(Scope scope, string[] parts)
    {
        JsonNode? current;
        var start = 0;
        if (scope.Variables.TryGetValue(parts[0], out var bound)) { current = bound; start = 1; }
        else current = scope.Root;
        for (var i = start; i < parts.Length; i++)
            current = current is JsonObject obj ? obj.GetIgnoreCase(parts[i]) : null;
        return current;
    }

    private static bool Compare(string op, object? left, object? right)
    {
        int order;
        if (left is string ls && right is string rs)
        {
            if (op is "eq" or "ne" && ls.Contains("} Name ", StringComparison.OrdinalIgnoreCase))
                return ExtendedPropertyIds.Equal(ls, rs) == (op == "eq");
            order = string.Compare(ls, rs, StringComparison.OrdinalIgnoreCase);
        }
        else if (left is double ld && right is double rd) order = ld.CompareTo(rd);
        else if (left is bool lb && right is bool rb) order = lb.CompareTo(rb);
        else if (left is null || right is null) order = left is null && right is null ? 0 : 1;
        else order = string.Compare(Convert.ToString(left, CultureInfo.InvariantCulture), Convert.ToString(right, CultureInfo.InvariantCulture), StringComparison.OrdinalIgnoreCase);
        return op switch
        {
            "eq" => order == 0,
            "ne" => order != 0,
            "gt" => order > 0,
            "ge" => order >= 0,
            "lt" => order < 0,
            _ => order <= 0,
        };
    }

    private static bool Truthy(object? value) => value is true;

    private static List<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (c is '(' or ')' or ',' or ':') { tokens.Add(c.ToString()); i++; continue; }
            if (c == '\'')
            {
                var sb = new StringBuilder("'");
                i++;
                while (true)
                {
                    if (i >= text.Length) throw Invalid();
                    if (text[i] == '\'')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '\'') { sb.Append("''"); i += 2; continue; }
                        i++;
                        break;
                    }
                    sb.Append(text[i++]);
                }
                tokens.Add(sb.Append('\'').ToString());
                continue;
            }
            var match = Word().Match(text, i);
            if (!match.Success || match.Index != i) throw Invalid();
            tokens.Add(match.Value);
            i += match.Length;
        }
        return tokens;
    }

    [GeneratedRegex(@"[A-Za-z0-9_.\-/+]+")]
    private static partial Regex Word();
}

/// <summary>$select and $expand of event reads.</summary>
internal static partial class ODataProjection
{
    public static HashSet<string>? Select(QueryOptions query) =>
        query.Get("$select") is { Length: > 0 } s
            ? new HashSet<string>(s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), StringComparer.OrdinalIgnoreCase)
            : null;

    /// <summary>Parses <c>singleValueExtendedProperties($filter=id eq '…' or id eq '…')</c> and <c>extensions($filter=id eq '…')</c>.</summary>
    public static (List<string>? ExtendedProperties, List<string>? Extensions) Expand(QueryOptions query)
    {
        var text = query.Get("$expand");
        if (string.IsNullOrWhiteSpace(text)) return (null, null);
        List<string>? props = null, extensions = null;
        foreach (var part in SplitTopLevel(text))
        {
            var paren = part.IndexOf('(');
            var name = (paren < 0 ? part : part[..paren]).Trim();
            var ids = paren < 0 ? [] : IdLiteral().Matches(part[paren..]).Select(m => m.Groups[1].Value.Replace("''", "'")).ToList();
            if (name.Equals("singleValueExtendedProperties", StringComparison.OrdinalIgnoreCase)) props = ids;
            else if (name.Equals("extensions", StringComparison.OrdinalIgnoreCase)) extensions = ids;
            else if (!name.Equals("multiValueExtendedProperties", StringComparison.OrdinalIgnoreCase))
                throw new GraphException(400, "BadRequest", $"Parsing OData Select and Expand failed: Could not find a property named '{name}' on type 'microsoft.graph.event'.");
        }
        return (props, extensions);
    }

    private static IEnumerable<string> SplitTopLevel(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '(') depth++;
            else if (text[i] == ')') depth--;
            else if (text[i] == ',' && depth == 0)
            {
                yield return text[start..i];
                start = i + 1;
            }
        }
        yield return text[start..];
    }

    [GeneratedRegex(@"id\s+eq\s+'((?:[^']|'')*)'", RegexOptions.IgnoreCase)]
    private static partial Regex IdLiteral();
}
