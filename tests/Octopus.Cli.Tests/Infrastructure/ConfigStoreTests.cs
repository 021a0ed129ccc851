using Octopus.Cli.Infrastructure;

namespace Octopus.Cli.Tests.Infrastructure;

public class ConfigStoreTests
{
    [Theory]
    [InlineData("/x/custom.json", "/xdg", "/home/u", "/x/custom.json")]
    [InlineData(null, "/xdg", "/home/u", "/xdg/octopus/config.json")]
    [InlineData(null, null, "/home/u", "/home/u/.config/octopus/config.json")]
    [InlineData("", "", "/home/u", "/home/u/.config/octopus/config.json")]
    public void Locate_FollowsThePrecedence(string? octopusConfig, string? xdg, string home, string expected)
    {
        var env = new Dictionary<string, string?> { ["OCTOPUS_CONFIG"] = octopusConfig, ["XDG_CONFIG_HOME"] = xdg, ["HOME"] = home };

        ConfigStore.Locate(n => env.GetValueOrDefault(n)).Path.Should().Be(expected);
    }

    [Fact]
    public void Save_CreatesPrivateFileAndFolder_AndRoundTrips()
    {
        var dir = Directory.CreateTempSubdirectory("octopus-config-").FullName;
        try
        {
            var store = new ConfigStore(Path.Combine(dir, "nested", "config.json"));
            store.Save(new CliConfig { Url = "http://a/", Token = "t" });

            store.Load().Should().Be(new CliConfig { Url = "http://a/", Token = "t" });
            if (!OperatingSystem.IsWindows())
            {
                File.GetUnixFileMode(store.Path).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
                File.GetUnixFileMode(Path.GetDirectoryName(store.Path)!).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
            Directory.GetFiles(Path.GetDirectoryName(store.Path)!).Should().ContainSingle(); // no temp file left behind
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Load_Missing_IsEmpty() =>
        new ConfigStore(Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"), "c.json")).Load().Should().Be(new CliConfig());

    [Fact]
    public void Load_Corrupt_IsUsageErrorNamingTheFile()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "{not json");
            var act = () => new ConfigStore(file).Load();
            var e = act.Should().Throw<CliException>().Which;
            e.ExitCode.Should().Be(ExitCodes.Usage);
            e.Message.Should().Contain(file);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
