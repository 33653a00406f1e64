using System.Collections.Generic;
using System.Text.Json;
using System.Text.Json.Serialization;
using CalSync.Engine.Sync;

namespace CalSync.Store;

/// <summary>
/// Serialisation code for every store document, generated at build time: a new process reads and writes the
/// state without reflection or JIT-compiling System.Text.Json's reflection serialisers. Same settings as
/// <see cref="StoreJson"/>'s options (which use it as their resolver). The documents' properties have plain setters,
/// not <c>init</c>: the generator sets init-only properties through a constructor call that gives every property
/// missing from the file its type's default, losing defaults such as <c>Schema = CurrentSchema</c> or <c>AllowDelete = true</c>.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    IgnoreReadOnlyProperties = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNameCaseInsensitive = true,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(SyncState))]
[JsonSerializable(typeof(SyncDefinition))]
[JsonSerializable(typeof(RunRecord))]
[JsonSerializable(typeof(ConnectionRecord))]
[JsonSerializable(typeof(LockHolder))]
[JsonSerializable(typeof(SecretStore.PlainSecret))]
internal sealed partial class StoreJsonContext : JsonSerializerContext
{
}
