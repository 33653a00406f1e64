using System.IO;

namespace CalSync.Store;

/// <summary>One folder of the store, holding a file per sync or connection, named by its checked name.</summary>
public abstract class StoreFolder
{
    private readonly string _what;
    private readonly string _extension;

    private protected StoreFolder(StoreFiles files, string folder, string what, string extension)
    {
        Files = files;
        Directory = Path.Combine(files.Root, folder);
        _what = what;
        _extension = extension;
    }

    private protected StoreFiles Files { get; }

    public string Directory { get; }

    public string PathOf(string name) => Path.Combine(Directory, StoreFiles.Stem(name, _what) + _extension);
}
