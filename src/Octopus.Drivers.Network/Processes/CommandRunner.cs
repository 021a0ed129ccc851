using System.Diagnostics;

namespace Octopus.Drivers.Network.Processes;

/// <summary>Runs programs on this node, inside <see cref="HostNetworkOptions.Namespace"/> when one is set
/// (<c>ip netns exec NS PROGRAM ARGS…</c>), with a timeout.</summary>
public sealed class CommandRunner(HostNetworkOptions options) : ICommandRunner
{
    public async Task<CommandResult> RunAsync(string program, IReadOnlyList<string> args, CancellationToken ct, string? stdin = null, bool allowFailure = false)
    {
        if (!File.Exists(program))
            throw new DriverException($"{Path.GetFileName(program)} is not installed at {program}; run scripts/install-deps.");
        var psi = options.Namespace is { } ns ? new ProcessStartInfo(options.IpPath) : new ProcessStartInfo(program);
        if (options.Namespace is { } n)
        {
            psi.ArgumentList.Add("netns");
            psi.ArgumentList.Add("exec");
            psi.ArgumentList.Add(n);
            psi.ArgumentList.Add(program);
        }
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.UseShellExecute = false;
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.RedirectStandardInput = true;
        using var p = Process.Start(psi) ?? throw new DriverException($"could not start {program}.");
        var stdout = p.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = p.StandardError.ReadToEndAsync(CancellationToken.None);
        if (stdin is not null) await p.StandardInput.WriteAsync(stdin.AsMemory(), ct);
        p.StandardInput.Close();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.CommandTimeout);
        try
        {
            await p.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            ct.ThrowIfCancellationRequested();
            throw new DriverException($"{Describe(program, args)} did not finish within {options.CommandTimeout.TotalSeconds:0} s.");
        }
        var result = new CommandResult(p.ExitCode, await stdout, await stderr);
        if (result.ExitCode != 0 && !allowFailure)
            throw new DriverException($"{Describe(program, args)} failed (exit {result.ExitCode}): {result.Error.Trim()}");
        return result;
    }

    private static string Describe(string program, IReadOnlyList<string> args) =>
        $"{Path.GetFileName(program)} {string.Join(' ', args.Take(4))}{(args.Count > 4 ? " …" : "")}";
}
