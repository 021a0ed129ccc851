using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;

namespace Octopus.Drivers.Power.Ipmi;

/// <summary>Runs one <c>ipmitool -I lanplus</c> command against a BMC (argv, no shell; password in the environment)
/// and turns its failures into <see cref="PowerControlException"/>s by what ipmitool printed.</summary>
internal sealed class IpmiTool(IpmiTarget target, IpmiOptions options)
{
    /// <summary>ipmitool's standard output when it exits 0.</summary>
    public async Task<string> RunAsync(IReadOnlyList<string> command, CancellationToken ct)
    {
        if (!File.Exists(options.ToolPath))
            throw new PowerControlException(PowerFault.ToolMissing,
                $"ipmitool is not installed at {options.ToolPath}; install it (apt package ipmitool, or scripts/install-deps).");
        var psi = new ProcessStartInfo(options.ToolPath)
        {
            UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true,
        };
        // -v makes ipmitool say WHY a session failed (RAKP errors vs no answer); it only adds lines to stderr.
        foreach (var a in new[] { "-v", "-I", "lanplus" }) psi.ArgumentList.Add(a);
        if (options.CipherSuite is { } cs) { psi.ArgumentList.Add("-C"); psi.ArgumentList.Add(cs.ToString(CultureInfo.InvariantCulture)); }
        psi.ArgumentList.Add("-N");
        psi.ArgumentList.Add(((int)Math.Ceiling(options.RetryInterval.TotalSeconds)).ToString(CultureInfo.InvariantCulture));
        psi.ArgumentList.Add("-R");
        psi.ArgumentList.Add(options.Retries.ToString(CultureInfo.InvariantCulture));
        psi.ArgumentList.Add("-H"); psi.ArgumentList.Add(target.Address);
        psi.ArgumentList.Add("-p"); psi.ArgumentList.Add(target.Port.ToString(CultureInfo.InvariantCulture));
        psi.ArgumentList.Add("-U"); psi.ArgumentList.Add(target.User);
        psi.ArgumentList.Add("-E");
        psi.Environment["IPMI_PASSWORD"] = target.Password;
        foreach (var c in command) psi.ArgumentList.Add(c);

        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new PowerControlException(PowerFault.ToolMissing, $"could not start {options.ToolPath}.");
        }
        catch (Win32Exception e)
        {
            throw new PowerControlException(PowerFault.ToolMissing, $"could not run {options.ToolPath}: {e.Message}; check that ipmitool is installed and executable.", e);
        }
        using (process)
        {
            process.StandardInput.Close(); // never wait for a password prompt
            var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(options.CommandTimeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Our own child: stop it by its handle, never by name.
                try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
                ct.ThrowIfCancellationRequested();
                throw new PowerControlException(PowerFault.Timeout,
                    $"the BMC at {target.Address}:{target.Port} did not answer '{string.Join(' ', command)}' within {options.CommandTimeout.TotalSeconds:0.#} s; check that it is up and reachable over UDP.");
            }
            var output = await stdout.ConfigureAwait(false);
            var errors = await stderr.ConfigureAwait(false);
            if (process.ExitCode == 0) return output;
            throw Classify(string.Join(' ', command), output + "\n" + errors);
        }
    }

    /// <summary>The typed failure for what a failed ipmitool run printed.</summary>
    internal PowerControlException Classify(string command, string printed)
    {
        var at = $"{target.Address}:{target.Port}";
        bool Says(string s) => printed.Contains(s, StringComparison.OrdinalIgnoreCase);
        if (Says("RAKP 2 HMAC is invalid") || Says("unauthorized name") || Says("RAKP 4 message has invalid integrity check")
            || Says("invalid role") || Says("Password is too long"))
            return new PowerControlException(PowerFault.WrongCredentials,
                $"the BMC at {at} rejected user '{target.User}' or its password; check the power configuration's user and password.");
        if (Says("Get Auth Capabilities error") || Says("No response from remote controller") || Says("Address lookup for")
            || Says("Could not open socket") || Says("Unable to establish LAN session"))
            return new PowerControlException(PowerFault.Unreachable,
                $"no BMC answered at {at}; check the address and port, that the BMC is powered and on the network, and that IPMI over LAN is enabled.");
        if (Says("invalid authentication algorithm") || Says("invalid integrity algorithm") || Says("invalid confidentiality algorithm"))
            return new PowerControlException(PowerFault.Refused,
                $"the BMC at {at} does not accept cipher suite {options.CipherSuite?.ToString(CultureInfo.InvariantCulture) ?? "(negotiated)"}; configure another (3 and 17 are common).");
        if (Says("Invalid command") && Says("DCMI"))
            return new PowerControlException(PowerFault.Unsupported, $"the BMC at {at} does not implement DCMI (no power reading).");
        if (Says("Insufficient privilege"))
            return new PowerControlException(PowerFault.Refused,
                $"user '{target.User}' may not run '{command}' on the BMC at {at}; give it the operator or administrator privilege.");
        var last = LastMeaningfulLine(printed);
        return new PowerControlException(PowerFault.Refused, $"the BMC at {at} refused '{command}': {last}");
    }

    private static string LastMeaningfulLine(string printed)
    {
        var lines = printed.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        // ipmitool -v prints its probing (IANA registry, VSO capabilities) before the real error.
        var meaningful = lines.Where(l => !l.StartsWith("Loading IANA", StringComparison.Ordinal)
            && !l.StartsWith("Running Get VSO", StringComparison.Ordinal) && !l.StartsWith("Discovered IPMB", StringComparison.Ordinal)
            && !l.StartsWith("Invalid completion code received: Invalid command", StringComparison.Ordinal)).ToList();
        return meaningful.Count == 0 ? "(ipmitool printed nothing)" : meaningful[^1];
    }
}
