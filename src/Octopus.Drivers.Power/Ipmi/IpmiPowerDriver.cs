using System.Globalization;
using System.Text.RegularExpressions;
using Octopus.Domain.Hosts;
using Octopus.Domain.Units;

namespace Octopus.Drivers.Power.Ipmi;

/// <summary>Switches a host through its BMC with <c>ipmitool -I lanplus</c>: <c>chassis power status|on|soft|off</c>
/// and <c>dcmi power reading</c>. One ipmitool process per call (argv, no shell, password in the environment).</summary>
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
            return null;
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

    [GeneratedRegex(@"Chassis Power is (on|off)", RegexOptions.IgnoreCase)]
    private static partial Regex StatusLine();

    [GeneratedRegex(@"Instantaneous power reading:\s*(\d+(?:\.\d+)?)\s*Watts", RegexOptions.IgnoreCase)]
    private static partial Regex ReadingLine();

    [GeneratedRegex(@"Power reading state is:\s*activated", RegexOptions.IgnoreCase)]
    private static partial Regex ActivatedLine();
}
