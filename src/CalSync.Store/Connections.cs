using System;
using System.Collections.Generic;
using System.IO;
using System.Text.RegularExpressions;

namespace CalSync.Store;

/// <summary>
/// The saved connections: <c>connections/&lt;name&gt;.json</c>, non-secret settings only (the secret is in the
/// <see cref="ISecretStore"/>, under the record's <see cref="ConnectionRecord.SecretKey"/>).
/// </summary>
public sealed class Connections : StoreFolder
{
    private const string Advice = "Restore it from a backup, fix it in an editor, or delete it and connect again.";
    private static readonly Regex WebhookPath = new(@"/rest/\d+/[^/\s]{6,}", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
    private static readonly Regex SecretName = new("secret|token|password|passwd|webhook|apikey|api_key|credential", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    internal Connections(StoreFiles files) : base(files, "connections", "connection", ".json")
    {
    }

    /// <summary>The connections whose name matches <paramref name="wildcardPattern"/>, ordered by name (see <see cref="SyncDefinitions.List"/>).</summary>
    public IReadOnlyList<ConnectionRecord> List(string? wildcardPattern = null, Action<StoreException>? onUnreadable = null) =>
        Files.List(Directory, wildcardPattern, onUnreadable, Read, c => c.Name);

    /// <summary>The connection, or null when there is none.</summary>
    public ConnectionRecord? Get(string name) => Read(PathOf(name));

    /// <summary>
    /// Saves a connection. Refuses (<see cref="StoreErrorKind.SecretInClearText"/>) a record that looks like it carries a
    /// secret: a Bitrix24 webhook URL (its path holds the key) or a setting named like a secret.
    /// </summary>
    public void Save(ConnectionRecord connection, bool replaceUnreadable = false)
    {
        if (connection is null) throw new ArgumentNullException(nameof(connection));
        var path = PathOf(connection.Name);
        CheckNoSecret(connection);
        if (connection.SecretKey is not null) StoreNames.Validate(connection.SecretKey, "secret");
        Files.SaveDocument(path, connection, indented: true, replaceUnreadable, Read);
    }

    /// <summary>Removes a connection file; when <paramref name="secrets"/> is given, also its secret. False when there was none.</summary>
    public bool Remove(string name, ISecretStore? secrets = null)
    {
        var path = PathOf(name);
        if (secrets is not null)
        {
            ConnectionRecord? record = null;
            try { record = Get(name); } catch (StoreException) { }
            if (record?.SecretKey is { } key) secrets.Remove(key);
        }
        return StoreFiles.Delete(path);
    }

    private static ConnectionRecord? Read(string path) => StoreJson.ReadFile<ConnectionRecord>(path, ConnectionRecord.CurrentSchema, Advice);

    private static void CheckNoSecret(ConnectionRecord c)
    {
        foreach (var (field, value) in new[] { ("endpoint", c.Endpoint), ("portal", c.Portal), ("account", c.Account) })
            if (value is not null && WebhookPath.IsMatch(value))
                throw new StoreException(StoreErrorKind.SecretInClearText,
                    $"The {field} of connection '{c.Name}' looks like a Bitrix24 webhook URL, which contains its secret key. Keep only the portal address there and give the webhook URL as the connection's secret.");
        foreach (var pair in c.Settings)
            if (SecretName.IsMatch(pair.Key) || WebhookPath.IsMatch(pair.Value))
                throw new StoreException(StoreErrorKind.SecretInClearText,
                    $"The setting {StoreNames.Quote(pair.Key)} of connection '{c.Name}' looks like a secret; store secrets with the secret store, not in the connection file.");
    }
}
