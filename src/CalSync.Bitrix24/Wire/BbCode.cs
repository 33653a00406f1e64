using System.Text.RegularExpressions;

namespace CalSync.Bitrix24.Wire;

/// <summary>Bitrix24 descriptions are BBCode-ish; the model carries plain text.</summary>
internal static class BbCode
{
    private static readonly Regex Url = new(@"\[url=([^\]]*)\](.*?)\[/url\]", RegexOptions.IgnoreCase | RegexOptions.Singleline);
    private static readonly Regex BareUrl = new(@"\[url\](.*?)\[/url\]", RegexOptions.IgnoreCase | RegexOptions.Singleline);
    private static readonly Regex ListItem = new(@"\[\*\]", RegexOptions.IgnoreCase);
    private static readonly Regex Tag = new(@"\[/?(b|i|u|s|quote|code|list|size|color|font|left|right|center|justify|user|img|video|table|tr|td|th|p|disk file id|url)(=[^\]]*)?\]", RegexOptions.IgnoreCase);

    public static string ToPlainText(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        // Every pattern starts with '[': most descriptions have none and need no regex pass.
        if (text!.IndexOf('[') < 0) return text.Replace("\r\n", "\n").Trim();
        var s = Url.Replace(text!, m =>
        {
            var href = m.Groups[1].Value.Trim('"', '\'', ' ');
            var label = m.Groups[2].Value;
            return label.Length == 0 || label == href ? href : label + " (" + href + ")";
        });
        s = BareUrl.Replace(s, "$1");
        s = ListItem.Replace(s, "- ");
        s = Tag.Replace(s, "");
        return s.Replace("\r\n", "\n").Trim();
    }
}
