namespace Octopus.Agent.Tests;

public sealed class AgentOptionsTests
{
    private static AgentOptions Valid(string storage) => new()
    {
        Listen = "127.0.0.1:7001", Data = "/tmp/oa-opt", Storage = storage, Server = "http://127.0.0.1:5080", Token = "t", Kernel = "/bin/sh",
    };

    [Theory]
    [InlineData("Listen", "nonsense", "--listen")]
    [InlineData("Listen", "127.0.0.1:0", "--listen")]
    [InlineData("Server", "ftp://x", "--server")]
    [InlineData("Name", "Bad Name", "--name")]
    [InlineData("Kernel", "/no/such/vmlinux", "--kernel")]
    [InlineData("Storage", "/no/such/storage", "--storage")]
    [InlineData("Data", "/tmp/a-very-long-folder-name-that-makes-the-qmp-socket-path-too-long-for-sun-path-xxxxxxx", "--data")]
    public void Validate_BadValue_NamesTheOption(string property, string value, string option)
    {
        var o = Valid(Path.GetTempPath());
        o = property switch
        {
            "Listen" => o with { Listen = value },
            "Server" => o with { Server = value },
            "Name" => o with { Name = value },
            "Kernel" => o with { Kernel = value },
            "Storage" => o with { Storage = value },
            _ => o with { Data = value },
        };
        var act = () => o.Validate();
        act.Should().Throw<AgentConfigurationException>().Which.Option.Should().Be(option);
    }

    [Fact]
    public void Validate_Defaults_NameFromHostAndPort_CapacityFromMachine()
    {
        var r = Valid(Path.GetTempPath()).Validate();
        r.Name.Should().EndWith("-7001");
        r.Cores.Should().Be(Environment.ProcessorCount);
        r.MemoryBytes.Should().BePositive();
        r.Url.Should().Be("http://127.0.0.1:7001");
    }
}
