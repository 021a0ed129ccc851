using Octopus.Drivers.Power.Ipmi;

namespace Octopus.Drivers.Power.Tests.Ipmi;

/// <summary>What the driver hands ipmitool: a stand-in executable records its argv and environment (the real ipmitool
/// cannot show them), so the password's path can be checked.</summary>
public sealed class IpmiCommandLineTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("octopus-ipmi-argv-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public async Task Run_PasswordGoesThroughEnvironmentOnly()
    {
        var tool = Path.Combine(folder, "ipmitool");
        var argv = Path.Combine(folder, "argv");
        var env = Path.Combine(folder, "env");
        File.WriteAllText(tool, $"#!/bin/sh\nfor a in \"$@\"; do echo \"$a\"; done > {argv}\necho \"$IPMI_PASSWORD\" > {env}\necho 'Chassis Power is on'\n");
        Assert.SkipUnless(OperatingSystem.IsLinux(), "ipmitool runs on Linux");
        if (OperatingSystem.IsLinux()) File.SetUnixFileMode(tool, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var driver = new IpmiPowerDriver(new IpmiTarget("10.0.0.5", "admin", "pa ss'word;rm -rf /", 6230), new IpmiOptions { ToolPath = tool });

        (await driver.GetStatusAsync(CancellationToken.None)).Should().Be(PowerStatus.On);

        var args = File.ReadAllLines(argv);
        args.Should().ContainInConsecutiveOrder("-I", "lanplus");
        args.Should().ContainInConsecutiveOrder("-H", "10.0.0.5");
        args.Should().ContainInConsecutiveOrder("-p", "6230");
        args.Should().ContainInConsecutiveOrder("-U", "admin");
        args.Should().Contain("-E").And.NotContain("-P");
        args.Should().EndWith(["chassis", "power", "status"]);
        args.Should().NotContain(a => a.Contains("pa ss", StringComparison.Ordinal));
        File.ReadAllText(env).TrimEnd('\n').Should().Be("pa ss'word;rm -rf /");
    }

    [Theory]
    [InlineData("", "admin", "x", 623, "address is empty")]
    [InlineData("-oProxy", "admin", "x", 623, "is not a BMC address")]
    [InlineData("10.0.0.5", "", "x", 623, "user is empty")]
    [InlineData("10.0.0.5", "admin", "x", 70000, "port 70000 is out of range")]
    [InlineData("10.0.0.5", "admin", "012345678901234567890", 623, "longer than 20 bytes")]
    public void Problems_BadTarget_SaysWhat(string address, string user, string password, int port, string expected)
    {
        new IpmiTarget(address, user, password, port).Problems().Should().ContainSingle().Which.Should().Contain(expected);
        var build = () => new IpmiPowerDriver(new IpmiTarget(address, user, password, port));
        build.Should().Throw<ArgumentException>().WithMessage("*" + expected + "*");
    }

    [Fact]
    public void ToString_NeverShowsThePassword() =>
        new IpmiTarget("10.0.0.5", "admin", "hunter2").ToString().Should().Be("admin@10.0.0.5:623");

    [Fact]
    public void ParseReading_DcmiOutput_Watts()
    {
        // The layout ipmitool 1.8.19 prints for `dcmi power reading` (ipmi_sim has no DCMI, so this text is written here).
        const string output = """

                Instantaneous power reading:                   182 Watts
                Minimum during sampling period:                 97 Watts
                Maximum during sampling period:                301 Watts
                Average power reading over sample period:      180 Watts
                IPMI timestamp:                           Sat Dec  5 15:00:00 2026
                Sampling period:                          00000005 Seconds.
                Power reading state is:                   activated

            """;
        IpmiPowerDriver.ParseReading(output).Should().Be(new Domain.Units.Watts(182));
        IpmiPowerDriver.ParseReading(output.Replace("activated", "deactivated", StringComparison.Ordinal)).Should().BeNull();
    }

    [Fact]
    public void ParseSensorReading_OneSystemSensor_ItsWatts()
    {
        // `ipmitool sdr type Current` on a Dell-style BMC: amperes per supply and one consumption sensor in watts.
        const string output = """
            Current 1        | 6Ah | ok  | 10.1 | 0.40 Amps
            Current 2        | 6Bh | ns  | 10.2 | No Reading
            Pwr Consumption  | 77h | ok  |  7.1 | 140 Watts
            """;
        IpmiPowerDriver.ParseSensorReading(output).Should().Be(new Domain.Units.Watts(140));
    }

    [Fact]
    public void ParseSensorReading_OnlySupplyInputs_Summed()
    {
        const string output = """
            PS1 Input Power  | 70h | ok  | 10.1 | 120 Watts
            PS2 Input Power  | 71h | ok  | 10.2 | 118 Watts
            PS1 Output Power | 72h | ok  | 10.1 | 110 Watts
            """;
        IpmiPowerDriver.ParseSensorReading(output).Should().Be(new Domain.Units.Watts(238));
    }

    [Fact]
    public void ParseSensorReading_VerboseBlocks_Watts()
    {
        // The same command with -v (as the driver runs ipmitool), as ipmitool 1.8.19 prints it against ipmi_sim.
        const string output = """
            Sensor ID              : Current 1 (0x6a)
             Sensor Type (Threshold)  : Current (0x03)
             Sensor Reading        : 0.40 (+/- 0) Amps
             Status                : ok

            Sensor ID              : Pwr Consumption (0x30)
             Entity ID             : 7.1 (System Board)
             Sensor Type (Threshold)  : Current (0x03)
             Sensor Reading        : 150 (+/- 0) Watts
             Status                : ok
             Positive Hysteresis   : Unspecified

            """;
        IpmiPowerDriver.ParseSensorReading(output).Should().Be(new Domain.Units.Watts(150));
        IpmiPowerDriver.ParseSensorReading(output.Replace("150 (+/- 0)", "0 (+/- 0)", StringComparison.Ordinal)).Should()
            .BeNull("a sensor not sampled yet reads 0 W");
    }

    [Theory]
    [InlineData("")]
    [InlineData("Current 1        | 6Ah | ok  | 10.1 | 0.40 Amps")]
    [InlineData("Pwr Consumption  | 77h | ns  |  7.1 | No Reading")]
    [InlineData("Fan Power        | 78h | ok  |  7.1 | 12 Watts\nCPU Power        | 79h | ok  |  7.1 | 80 Watts")]
    public void ParseSensorReading_NoneOrAmbiguous_Null(string output) =>
        IpmiPowerDriver.ParseSensorReading(output).Should().BeNull();
}
