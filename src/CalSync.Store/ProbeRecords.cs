using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CalSync.Engine.Probing;

namespace CalSync.Store;

/// <summary>
/// The latest conformance probe of each connection (<c>probes/&lt;connection&gt;.json</c>), read by Start-CalSync to hold
/// back writes whose belief failed (<see cref="ProbeGate"/>). A record belongs to the connection as it was probed
/// (kind, endpoint, portal, account, calendar): after the connection is made again to something else, it is ignored.
/// </summary>
public sealed class ProbeRecords : StoreFolder
{
    internal ProbeRecords(StoreFiles files) : base(files, "probes", "connection", ".json")
    {
    }

    public void Save(ConnectionRecord connection, DateTimeOffset at, IReadOnlyList<ProbeResult> results)
    {
        var json = new JsonObject
        {
            ["connection"] = connection.Name,
            ["key"] = KeyOf(connection),
            ["at"] = at.ToString("O"),
            ["results"] = new JsonArray(results.Select(r => (JsonNode)new JsonObject
            {
                ["name"] = r.Name, ["belief"] = r.Belief, ["doc"] = r.Doc, ["expected"] = r.Expected,
                ["observed"] = r.Observed, ["passed"] = r.Passed,
            }).ToArray()),
        };
        var path = PathOf(connection.Name);
        Files.EnsureDirectory(Directory);
        AtomicFile.Write(Files.FileSystem, path, Encoding.UTF8.GetBytes(json.ToJsonString(StoreJson.Indented)));
    }

    /// <summary>The failed probes of the latest run on <paramref name="connection"/>; none without a (matching, readable) record.</summary>
    public IReadOnlyList<ProbeGate.Failure> Failed(ConnectionRecord connection)
    {
        var path = PathOf(connection.Name);
        JsonNode? root;
        try { root = File.Exists(path) ? JsonNode.Parse(File.ReadAllText(path)) : null; }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException) { return Array.Empty<ProbeGate.Failure>(); }
        if (root is null || (string?)root["key"] != KeyOf(connection) || !DateTimeOffset.TryParse((string?)root["at"], out var at))
            return Array.Empty<ProbeGate.Failure>();
        return (root["results"] as JsonArray ?? new JsonArray())
            .OfType<JsonObject>()
            .Where(r => r["passed"] is JsonValue v && v.TryGetValue<bool>(out var passed) && !passed)
            .Select(r => new ProbeGate.Failure(connection.Name,
                new ProbeResult((string?)r["name"] ?? "", (string?)r["belief"] ?? "", (string?)r["doc"] ?? "", (string?)r["expected"] ?? "", (string?)r["observed"] ?? "", false), at))
            .ToList();
    }

    private static string KeyOf(ConnectionRecord c) => string.Join("|", c.Kind, c.Endpoint, c.Portal, c.Account, c.CalendarId);
}
