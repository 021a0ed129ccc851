namespace Octopus.Client.Tests;

public sealed class OctopusConnectionSettingsTests : IDisposable
{
    /// <summary>This test's configuration files, in a folder of its own that <see cref="Dispose"/> deletes.</summary>
    private readonly string _dir = Directory.CreateTempSubdirectory("octopus-client-config-").FullName;

    private string Config(string json)
    {
        var path = Path.Combine(_dir, "config.json");
        File.WriteAllText(path, json);
        return path;
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public void Resolve_EnvironmentWins_OverTheConfigFile()
    {
        var path = Config("""{"url":"http://127.0.0.1:5080","token":"saved"}""");
        var env = new Dictionary<string, string?> { ["OCTOPUS_CONFIG"] = path, ["OCTOPUS_URL"] = "http://10.0.0.1:9000", ["OCTOPUS_TOKEN"] = "env" };
        var s = OctopusConnectionSettings.Resolve(k => env.GetValueOrDefault(k));
        s.Url.Should().Be(new Uri("http://10.0.0.1:9000"));
        s.Token.Should().Be("env");
    }

    [Fact]
    public void Resolve_SavedToken_OnlyForTheServerItWasIssuedBy()
    {
        var path = Config("""{"url":"http://127.0.0.1:5080","token":"saved"}""");
        var same = OctopusConnectionSettings.Resolve(k => k == "OCTOPUS_CONFIG" ? path : null);
        same.Token.Should().Be("saved");
        same.Url.Should().Be(new Uri("http://127.0.0.1:5080"));
        var elsewhere = OctopusConnectionSettings.Resolve(k => k switch { "OCTOPUS_CONFIG" => path, "OCTOPUS_URL" => "http://other:1", _ => null });
        elsewhere.Token.Should().BeNull();
    }

    [Fact]
    public void Connect_WithoutToken_SaysWhatToDo()
    {
        var settings = new OctopusConnectionSettings(new Uri("http://127.0.0.1:5080"), null, "default");
        var act = () => OctopusClient.Connect(settings);
        act.Should().Throw<InvalidOperationException>().WithMessage("*OCTOPUS_TOKEN*octopus login*");
    }
}
