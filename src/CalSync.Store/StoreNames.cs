using System;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace CalSync.Store;

/// <summary>
/// Names of syncs, connections and secrets. A name is 1-64 characters: ASCII letters, digits, '-', '_' and '.',
/// starting with a letter or digit and not ending with '.'; Windows device names (CON, NUL, COM1, ...) are refused.
/// Names are case-insensitive: the file name is the lower-case name, the name as typed is kept inside the file.
/// </summary>
public static class StoreNames
{
    public const int MaxLength = 64;

    private static readonly string[] Reserved =
    {
        "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8", "com9",
        "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
    };

    /// <summary>Throws <see cref="StoreException"/> (<see cref="StoreErrorKind.InvalidName"/>) naming the bad character.</summary>
    /// <param name="what">"sync", "connection" or "secret": used in the message.</param>
    public static void Validate(string? name, string what)
    {
        var problem = Check(name);
        if (problem is not null)
            throw new StoreException(StoreErrorKind.InvalidName, $"Invalid {what} name {Quote(name)}: {problem}.");
    }

    public static bool IsValid(string? name) => Check(name) is null;

    /// <summary>The file name stem for a (valid) name: the name in lower case.</summary>
    public static string FileStem(string name) => name.ToLowerInvariant();

    private static string? Check(string? name)
    {
        if (name is null || name.Length == 0) return "a name is required";
        if (name.Length > MaxLength) return $"it is {name.Length} characters long; at most {MaxLength} are allowed";
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            var ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
            if (!ok)
                return $"the character {Describe(c)} at position {i + 1} is not allowed; use letters, digits, '-', '_' and '.'";
        }
        if (!char.IsLetterOrDigit(name[0])) return $"it must start with a letter or digit, not {Describe(name[0])}";
        if (name[name.Length - 1] == '.') return "it must not end with '.'";
        var stem = name.ToLowerInvariant();
        var dot = stem.IndexOf('.');
        var device = dot < 0 ? stem : stem.Substring(0, dot);
        if (Array.IndexOf(Reserved, device) >= 0) return $"'{device}' is a reserved device name on Windows";
        return null;
    }

    private static string Describe(char c) =>
        c < 0x20 || c == 0x7f || char.IsWhiteSpace(c) || char.IsControl(c) || char.IsSurrogate(c)
            ? "U+" + ((int)c).ToString("X4", CultureInfo.InvariantCulture) + (c == ' ' ? " (space)" : "")
            : "'" + c + "'";

    /// <summary>Quotes a user-supplied name for a message, with control characters made visible.</summary>
    internal static string Quote(string? name)
    {
        if (name is null) return "(null)";
        var sb = new StringBuilder("'");
        foreach (var c in name.Length > 100 ? name.Substring(0, 100) + "..." : name)
            sb.Append(c < 0x20 || c == 0x7f ? "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture) : c.ToString());
        return sb.Append('\'').ToString();
    }

    /// <summary>
    /// A PowerShell-style wildcard (<c>*</c>, <c>?</c>, <c>[abc]</c>, <c>[a-z]</c>, backtick escapes), matched
    /// case-insensitively against the whole name. Null or empty matches everything.
    /// </summary>
    public static Func<string, bool> Wildcard(string? pattern)
    {
        if (string.IsNullOrEmpty(pattern) || pattern == "*") return _ => true;
        var sb = new StringBuilder("^");
        for (var i = 0; i < pattern!.Length; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case '*': sb.Append(".*"); break;
                case '?': sb.Append('.'); break;
                case '`' when i + 1 < pattern.Length: sb.Append(Regex.Escape(pattern[++i].ToString())); break;
                case '[':
                    var close = pattern.IndexOf(']', i + 1);
                    if (close > i + 1)
                    {
                        var set = pattern.Substring(i + 1, close - i - 1);
                        sb.Append('[').Append(set.Replace("\\", "\\\\").Replace("^", "\\^")).Append(']');
                        i = close;
                    }
                    else sb.Append("\\[");
                    break;
                default: sb.Append(Regex.Escape(c.ToString())); break;
            }
        }
        var regex = new Regex(sb.Append('$').ToString(), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Singleline);
        return s => regex.IsMatch(s);
    }
}
