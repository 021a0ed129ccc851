using System.Globalization;
using System.Text.RegularExpressions;
using Octopus.Domain.Hosts;
using Octopus.Domain.Units;

namespace Octopus.Drivers.Power.Ipmi;

/// <summary>Switches a host through its BMC with <c>ipmitool -I lanplus</c>: <c>chassis power status|on|soft|off</c>
/// and <c>dcmi power reading</c>, or, on a BMC without DCMI, its power sensor in watts (<c>sdr type Current</c>). One
/// ipmitool process per call (argv, no shell, password in the environment).</summary>
public sealed partial class IpmiPowerDriver : IHostPowerControl
{
    private readonly IpmiTool tool;
    private readonly IpmiTarget target;

    public IpmiPowerDriver(IpmiTarget target, IpmiOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        var problems = target.Problems();
        if (problems.Count > 0) throw new ArgumentException("IPMI target: " + string.Join(" ", problems), nameof(target));
        this.target = target;
        tool = new IpmiTool(target, options ?? new IpmiOptions());
    }

    public PowerMethod Method => PowerMethod.Ipmi;

    public async Task<PowerStatus> GetStatusAsync(CancellationToken ct)
    {
        var output = await tool.RunAsync(["chassis", "power", "status"], ct).ConfigureAwait(false);
        return ParseStatus(output) ?? throw new PowerControlException(PowerFault.BadResponse,
            $"the BMC at {target.Address}:{target.Port} answered 'chassis power status' with '{output.Trim()}', which is neither on nor off.");
    }

    public Task PowerOnAsync(CancellationToken ct) => tool.RunAsync(["chassis", "power", "on"], ct);

    public async Task PowerOffAsync(PowerOffMode mode, CancellationToken ct)
    {
        if (mode == PowerOffMode.Force)
        {
            await tool.RunAsync(["chassis", "power", "off"], ct).ConfigureAwait(false);
            return;
        }
        try
        {
            await tool.RunAsync(["chassis", "power", "soft"], ct).ConfigureAwait(false);
        }
        catch (PowerControlException e) when (e.Fault == PowerFault.Refused && e.Message.Contains("Invalid data field", StringComparison.OrdinalIgnoreCase))
        {
            // A BMC refuses soft-off when it has nothing to ask (no ACPI/OS connection); only a forced off remains.
            throw new PowerControlException(PowerFault.Unsupported,
                $"the BMC at {target.Address}:{target.Port} cannot ask the operating system to shut down (soft-off refused); shut the host down through its agent, or power it off forcibly.", e);
        }
    }

    public async Task<Watts?> ReadPowerAsync(CancellationToken ct)
    {
        string output;
        try
        {
            output = await tool.RunAsync(["dcmi", "power", "reading"], ct).ConfigureAwait(false);
        }
        catch (PowerControlException e) when (e.Fault == PowerFault.Unsupported)
        {
            // Many BMCs without DCMI (and ipmi_sim) still list the host's draw as a sensor in watts ("Pwr Consumption",
            // "PS1 Input Power"); IPMI types those as current sensors.
            return ParseSensorReading(await tool.RunAsync(["sdr", "type", "Current"], ct).ConfigureAwait(false));
        }
        return ParseReading(output);
    }

    /// <summary>"Chassis Power is on" → On; null when the text says neither.</summary>
    internal static PowerStatus? ParseStatus(string output)
    {
        var m = StatusLine().Match(output);
        if (!m.Success) return null;
        return m.Groups[1].Value.Equals("on", StringComparison.OrdinalIgnoreCase) ? PowerStatus.On : PowerStatus.Off;
    }

    /// <summary>The "Instantaneous power reading: N Watts" of <c>dcmi power reading</c>; null when absent or when the
    /// BMC says power measurement is not active.</summary>
    internal static Watts? ParseReading(string output)
    {
        if (output.Contains("Power reading state is:", StringComparison.OrdinalIgnoreCase) && !ActivatedLine().IsMatch(output))
            return null;
        var m = ReadingLine().Match(output);
        return m.Success ? new Watts(double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)) : null;
    }

    /// <summary>The host's draw from <c>sdr type Current</c>: the table ipmitool prints ("NAME | 30h | ok | 7.1 | 150
    /// Watts") or, with <c>-v</c>, its blocks ("Sensor ID : NAME (0x30)", "Sensor Reading : 150 (+/- 0) Watts",
    /// "Status : ok"). Only sensors reading a positive number of watts count (0 W is a sensor not yet sampled). A
    /// sensor named for the whole system (consumption, total, system) wins; otherwise per-supply input sensors are
    /// summed (a BMC that lists only its supplies); otherwise the only watts sensor. Null when there is none, or when
    /// several watts sensors leave the total ambiguous.</summary>
    internal static Watts? ParseSensorReading(string output)
    {
        var sensors = new List<(string Name, double Watts)>();
        void Add(string name, string status, string reading)
        {
            var m = SensorWatts().Match(reading);
            if (!m.Success || status.Equals("ns", StringComparison.OrdinalIgnoreCase)) return;
            var watts = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            if (watts > 0) sensors.Add((name, watts));
        }
        string? name = null, reading = null, status = null;
        foreach (var raw in output.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            var cells = line.Split('|');
            if (cells.Length >= 5)
            {
                Add(cells[0].Trim(), cells[2].Trim(), cells[4].Trim());
                continue;
            }
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0) continue;
            var key = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (key == "Sensor ID")
            {
                if (name is not null && reading is not null) Add(name, status ?? "", reading);
                name = SensorIdNumber().Replace(value, "");
                reading = status = null;
            }
            else if (key == "Sensor Reading") reading = PlusMinus().Replace(value, " ");
            else if (key == "Status") status = value;
        }
        if (name is not null && reading is not null) Add(name, status ?? "", reading);

        var whole = sensors.Where(s => WholeSystemName().IsMatch(s.Name)).ToList();
        if (whole.Count > 0) return new Watts(whole[0].Watts);
        var inputs = sensors.Where(s => SupplyInputName().IsMatch(s.Name)).ToList();
        if (inputs.Count > 0) return new Watts(inputs.Sum(s => s.Watts));
        return sensors.Count == 1 ? new Watts(sensors[0].Watts) : null;
    }

    [GeneratedRegex(@"\s*\(0x[0-9a-f]+\)\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex SensorIdNumber();

    [GeneratedRegex(@"\s*\(\+/-[^)]*\)\s*")]
    private static partial Regex PlusMinus();

    [GeneratedRegex(@"^\s*(\d+(?:\.\d+)?)\s*Watts\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex SensorWatts();

    [GeneratedRegex(@"consumption|total|system", RegexOptions.IgnoreCase)]
    private static partial Regex WholeSystemName();

    [GeneratedRegex(@"^(PS|PSU|Power Supply)\s*\d*\b.*\bIn(put)?\b", RegexOptions.IgnoreCase)]
    private static partial Regex SupplyInputName();

    [GeneratedRegex(@"Chassis Power is (on|off)", RegexOptions.IgnoreCase)]
    private static partial Regex StatusLine();

    [GeneratedRegex(@"Instantaneous power reading:\s*(\d+(?:\.\d+)?)\s*Watts", RegexOptions.IgnoreCase)]
    private static partial Regex ReadingLine();

    [GeneratedRegex(@"Power reading state is:\s*activated", RegexOptions.IgnoreCase)]
    private static partial Regex ActivatedLine();
}
