namespace Octopus.Simulation.Tests;

/// <summary>A temporary PlanetLab-style folder (one file per VM), deleted on dispose.</summary>
public sealed class TraceFolder : IDisposable
{
    public TraceFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "octopus-trace-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public TraceFolder Vm(string name, IEnumerable<int> percent)
    {
        File.WriteAllText(System.IO.Path.Combine(Path, name), string.Join('\n', percent) + "\n");
        return this;
    }

    public TraceFolder Raw(string name, string content)
    {
        File.WriteAllText(System.IO.Path.Combine(Path, name), content);
        return this;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
