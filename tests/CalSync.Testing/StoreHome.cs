using System.Security.Cryptography;
using System.Text;

namespace CalSync.Testing;

/// <summary>A fresh per-user store for one test: $env:CALSYNC_HOME points at a new temp directory until disposed.</summary>
public sealed class StoreHome : IDisposable
{
    public StoreHome()
    {
        Root = Directory.CreateTempSubdirectory("calsync-cmdlets-").FullName;
        Environment.SetEnvironmentVariable("CALSYNC_HOME", Root);
    }

    public string Root { get; }

    public string File(params string[] parts) => Path.Combine(new[] { Root }.Concat(parts).ToArray());

    /// <summary>Every file of the store (except secrets and locks) with a hash of its content: to prove nothing changed.</summary>
    public IReadOnlyDictionary<string, string> Snapshot()
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(Root, file);
            if (relative.StartsWith("locks", StringComparison.Ordinal) || relative.StartsWith("secrets", StringComparison.Ordinal)) continue;
            result[relative] = Convert.ToHexString(SHA256.HashData(System.IO.File.ReadAllBytes(file)));
        }
        return result;
    }

    /// <summary>Every file under the store as text (for secret searches).</summary>
    public string AllText(bool includeSecrets = false) => string.Join("\n", Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories)
        .Where(f => includeSecrets || !Path.GetRelativePath(Root, f).StartsWith("secrets", StringComparison.Ordinal))
        .Select(f => System.IO.File.ReadAllText(f, Encoding.UTF8)));

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("CALSYNC_HOME", null);
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
