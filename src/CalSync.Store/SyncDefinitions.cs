using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using CalSync.Engine.Sync;

namespace CalSync.Store;

/// <summary>The sync definitions: <c>syncs/&lt;name&gt;.json</c>, one per sync, indented for editing by hand.</summary>
public sealed class SyncDefinitions : StoreFolder
{
    private const string Advice = "Restore it from a backup, fix it in an editor, or delete it and define the sync again.";

    internal SyncDefinitions(StoreFiles files) : base(files, "syncs", "sync", ".json")
    {
    }

    /// <summary>
    /// The definitions whose name matches <paramref name="wildcardPattern"/> (PowerShell wildcards, case-insensitive;
    /// null: all), ordered by name. An unreadable file throws, unless <paramref name="onUnreadable"/> is given:
    /// then it is reported there and the others are still returned.
    /// </summary>
    public IReadOnlyList<SyncDefinition> List(string? wildcardPattern = null, Action<StoreException>? onUnreadable = null) =>
        Files.List(Directory, wildcardPattern, onUnreadable, Read, d => d.Name);

    /// <summary>The names of the defined syncs in lower case (their file names; names are case-insensitive), without reading the files.</summary>
    public IReadOnlyCollection<string> Names() =>
        System.IO.Directory.Exists(Directory)
            ? System.IO.Directory.EnumerateFiles(Directory, "*.json").Select(p => Path.GetFileNameWithoutExtension(p)).Where(StoreNames.IsValid).ToArray()
            : Array.Empty<string>();

    /// <summary>The definition, or null when there is none.</summary>
    public SyncDefinition? Get(string name) => Read(PathOf(name));

    public void Save(SyncDefinition definition, bool replaceUnreadable = false)
    {
        if (definition is null) throw new ArgumentNullException(nameof(definition));
        Files.SaveDocument(PathOf(definition.Name), definition, indented: true, replaceUnreadable, Read);
    }

    internal bool Remove(string name) => StoreFiles.Delete(PathOf(name));

    private static SyncDefinition? Read(string path) => StoreJson.ReadFile<SyncDefinition>(path, SyncDefinition.CurrentSchema, Advice);
}
