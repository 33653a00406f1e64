using System;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace CalSync.Outlook.Wire;

/// <summary>Outlook bodies are HTML by default; the model keeps plain text.</summary>
internal static class HtmlText
{
    private static readonly Regex Drop = new(@"<(head|style|script|title)\b[^>]*>.*?</\1\s*>|<!--.*?-->", RegexOptions.IgnoreCase | RegexOptions.Singleline | RegexOptions.Compiled);
    private static readonly Regex Breaks = new(@"<br\s*/?>|</(p|div|li|tr|h[1-6])\s*>", RegexOptions.IgnoreCase | RegexOptions.Compiled);
    private static readonly Regex Tags = new(@"<[^>]+>", RegexOptions.Compiled);
    private static readonly Regex Spaces = new(@"[ \t\f\v]+", RegexOptions.Compiled);

    public static string ToPlainText(string? content, bool isHtml)
    {
        if (string.IsNullOrEmpty(content)) return "";
        var text = content!.Replace("\r\n", "\n");
        if (isHtml)
        {
            text = Drop.Replace(text, "");
            text = text.Replace("\n", " ");
            text = Breaks.Replace(text, "\n");
            text = Tags.Replace(text, "");
            text = WebUtility.HtmlDecode(text).Replace('\u00A0', ' ');
        }
        if (!isHtml) return text.Trim();
        var sb = new StringBuilder();
        foreach (var raw in text.Split('\n'))
        {
            var line = Spaces.Replace(raw, " ").Trim();
            if (line.Length == 0) continue;
            if (sb.Length > 0) sb.Append('\n');
            sb.Append(line);
        }
        return sb.ToString().Trim();
    }
}
