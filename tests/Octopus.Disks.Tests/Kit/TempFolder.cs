namespace Octopus.Disks.Tests.Kit;

/// <summary>A fresh folder under /tmp, removed with everything in it when disposed.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder(string prefix = "octopus-disks-")
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), prefix + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { /* already gone */ }
    }
}
