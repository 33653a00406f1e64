using CalSync.Engine.Mapping;

namespace CalSync.Testing;

/// <summary>Mapping files the scenarios use (docs/scenarios.md, 24).</summary>
public static class MappingFiles
{
    /// <summary>The default profile with two exclude filters: category Private, and '#nosync' in the subject. Written to <paramref name="directory"/>/work.yaml.</summary>
    public static string ExcludingPrivateAndNoSync(string directory)
    {
        var path = Path.Combine(directory, "work.yaml");
        Directory.CreateDirectory(directory);
        File.WriteAllText(path, MappingLoader.BuiltInText("default").Replace("exclude: []", """
exclude:
    - { field: categories, contains: Private }
    - { field: subject, matches: '#nosync' }
""").Replace("  exclude:\nexclude:", "  exclude:"));
        return path;
    }
}
