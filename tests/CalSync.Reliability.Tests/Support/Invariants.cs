using System.Text.Json.Nodes;
using CalSync.Sandbox;

namespace CalSync.Reliability.Tests.Support;

/// <summary>The invariants every reliability test ends with: each meeting once on each side, links one-to-one, nothing lost.</summary>
public static class Invariants
{
    public static IReadOnlyList<(string Id, string Title)> Outlook(SandboxHost host) =>
        host.Graph.GetEvents().Select(e => (e["id"]!.GetValue<string>(), e["subject"]?.GetValue<string>() ?? "")).ToList();

    public static IReadOnlyList<(string Id, string Title)> Bitrix24(SandboxHost host) =>
        host.Bitrix24.GetEvents().Select(e => (e.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Name)).ToList();

    /// <summary>The stored links (state/&lt;sync&gt;.json), as (OutlookId, Bitrix24Id).</summary>
    public static IReadOnlyList<(string OutlookId, string Bitrix24Id)> Links(string storeRoot, string sync = "work")
    {
        var path = Path.Combine(storeRoot, "state", sync.ToLowerInvariant() + ".json");
        if (!File.Exists(path)) return Array.Empty<(string, string)>();
        var state = JsonNode.Parse(File.ReadAllText(path))!;
        return state["links"]!.AsArray().Select(l => (l!["outlookId"]!.GetValue<string>(), l["bitrix24Id"]!.GetValue<string>())).ToList();
    }

    /// <summary>Problems found (empty: all good): every expected title exactly once on each side; links a bijection between the two sides' events.</summary>
    public static List<string> Check(SandboxHost host, string storeRoot, IReadOnlyCollection<string> expectedTitles, string sync = "work")
    {
        var problems = new List<string>();
        var outlook = Outlook(host);
        var bitrix24 = Bitrix24(host);
        foreach (var (side, events) in new[] { ("Outlook", outlook), ("Bitrix24", bitrix24) })
        {
            var counts = events.GroupBy(e => e.Title).ToDictionary(g => g.Key, g => g.Count());
            foreach (var title in expectedTitles)
            {
                var n = counts.GetValueOrDefault(title);
                if (n == 0) problems.Add($"{side}: '{title}' lost");
                else if (n > 1) problems.Add($"{side}: '{title}' {n} times");
            }
            foreach (var extra in counts.Keys.Except(expectedTitles)) problems.Add($"{side}: unexpected '{extra}'");
        }
        var links = Links(storeRoot, sync);
        if (links.Count != expectedTitles.Count) problems.Add($"{links.Count} links for {expectedTitles.Count} meetings");
        if (links.Select(l => l.OutlookId).Distinct().Count() != links.Count) problems.Add("an Outlook id is linked twice");
        if (links.Select(l => l.Bitrix24Id).Distinct().Count() != links.Count) problems.Add("a Bitrix24 id is linked twice");
        var outlookTitles = outlook.ToDictionary(e => e.Id, e => e.Title);
        var bitrix24Titles = bitrix24.ToDictionary(e => e.Id, e => e.Title);
        foreach (var (o, b) in links)
        {
            if (!outlookTitles.TryGetValue(o, out var ot)) problems.Add($"link to a missing Outlook event {o}");
            else if (!bitrix24Titles.TryGetValue(b, out var bt)) problems.Add($"link to a missing Bitrix24 event {b}");
            else if (ot != bt) problems.Add($"link joins '{ot}' with '{bt}'");
        }
        return problems;
    }

    /// <summary>No temp file (.name.xxx.tmp) or other half-written leftover anywhere in the store.</summary>
    public static IReadOnlyList<string> Leftovers(string storeRoot) =>
        Directory.EnumerateFiles(storeRoot, "*", SearchOption.AllDirectories).Where(f => f.EndsWith(".tmp", StringComparison.Ordinal)).ToList();
}
