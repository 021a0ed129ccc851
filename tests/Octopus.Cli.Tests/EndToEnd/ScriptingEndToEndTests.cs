using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Octopus.Cli.Infrastructure;
using Octopus.Client;
using Octopus.Contracts;

namespace Octopus.Cli.Tests.EndToEnd;

/// <summary>Scripting Octopus end to end, against a real <c>octopus serve</c> process on loopback: the example scripts
/// in F# (<c>dotnet fsi</c> with <c>#r</c> of <c>.build/client</c>, built by scripts/build-client) and in C#
/// (<c>octopus script</c>), each checked through the API; <c>octopus shell</c> fed on stdin; and the packed NuGet
/// package restored into a fresh project that then talks to the server.</summary>
public partial class ScriptingEndToEndTests(ServerFixture server) : IClassFixture<ServerFixture>, IDisposable
{
    private static readonly SemaphoreSlim BuildOnce = new(1, 1);
    private static bool _clientBuilt;

    private CliProcess Admin => server.AdminOrSkip();

    [Fact]
    public async Task FSharpExamples_RunWithFsi_HaveTheirEffect()
    {
        await EnsureClientBuiltAsync();
        await RunExamplesAsync("fs", (script, args) => RunProcessAsync("dotnet",
            ["fsi", Path.Combine(RepoRoot(), "examples", "fsharp", script + ".fsx"), .. args], Env()));
    }

    [Fact]
    public async Task CSharpExamples_RunWithOctopusScript_HaveTheirEffect()
    {
        var admin = Admin;
        await RunExamplesAsync("cs", (script, args) =>
            admin.RunAsync(["script", Path.Combine(RepoRoot(), "examples", "csharp", script + ".csx"), "--", .. args]));
    }

    /// <summary>The four examples, each followed by a check of its effect through the API.</summary>
    private async Task RunExamplesAsync(string lang, Func<string, string[], Task<(int Exit, string Out, string Err)>> run)
    {
        using var octopus = Client();
        var ct = TestContext.Current.CancellationToken;
        var tag = lang + "-lab";
        // Consolidation would live-migrate VMs between the checks (a Migrating VM refuses a stop); the examples do not need it.
        await octopus.Plan.SetModeAsync("off", ct);
        foreach (var n in new[] { "a", "b", "c" })
            await octopus.Vms.CreateAsync(new VmCreateRequest($"{lang}-tagged-{n}", 1, 512L << 20, 1L << 30, "debian-12", [tag]), ct);
        var template = await octopus.Vms.CreateAsync(new VmCreateRequest($"{lang}-template", 1, 512L << 20, 1L << 30, "debian-12"), ct);
        foreach (var v in await octopus.Vms.AllAsync(new VmQuery(Tag: tag), ct)) await v.WaitForAsync(VmStates.Running, ct: ct);
        await octopus.Vms.Handle(template).WaitForAsync(VmStates.Running, ct: ct);

        // Bulk stop by tag: every tagged VM ends Stopped, the others are untouched.
        var stop = await run("bulk-stop-by-tag", [tag]);
        stop.Exit.Should().Be(0, $"{stop.Out}\n{stop.Err}");
        stop.Out.Should().Contain($"stopped 3 VMs tagged {tag}");
        (await octopus.Vms.AllAsync(new VmQuery(Tag: tag), ct)).Select(v => v.State).Should().AllBe(VmStates.Stopped);
        (await octopus.Vms.GetAsync(template.Id, ct)).State.Should().Be(VmStates.Running);

        // Idle report with a threshold above any load: every running VM is listed, and the totals agree with the API.
        var report = await run("idle-report", ["1.01"]);
        report.Exit.Should().Be(0, $"{report.Out}\n{report.Err}");
        var totals = IdleTotals().Match(report.Out);
        totals.Success.Should().BeTrue(report.Out);
        totals.Groups[1].Value.Should().Be(totals.Groups[2].Value);
        report.Out.Should().Contain($"{lang}-template");

        // Fork a lab of 30 from the template: 30 new VMs, all running.
        var fork = await run("fork-lab", [template.Name, "30", $"{lang}-fork"]);
        fork.Exit.Should().Be(0, $"{fork.Out}\n{fork.Err}");
        fork.Out.Should().Contain($"forked 30 VMs from {template.Name}; 30 running");
        var forks = (await octopus.Vms.AllAsync(ct: ct)).Where(v => v.Name.StartsWith($"{lang}-fork-", StringComparison.Ordinal)).ToList();
        forks.Should().HaveCount(30);
        forks.Select(v => v.State).Should().AllBe(VmStates.Running);

        // Evacuate the template's host: in maintenance, no running VM left on it, the template running elsewhere.
        var host = (await octopus.Vms.GetAsync(template.Id, ct)).Host!;
        var evacuate = await run("evacuate-host", [host]);
        evacuate.Exit.Should().Be(0, $"{evacuate.Out}\n{evacuate.Err}");
        evacuate.Out.Should().Contain($"{host} evacuated");
        (await octopus.Hosts.GetAsync(host, ct)).Maintenance.Should().BeTrue();
        (await octopus.Vms.AllAsync(new VmQuery(Host: host, State: VmStates.Running), ct)).Should().BeEmpty();
        var moved = await octopus.Vms.GetAsync(template.Id, ct);
        moved.State.Should().Be(VmStates.Running);
        moved.Host.Should().NotBe(host);
        await octopus.Hosts.SetMaintenanceAsync(host, false, ct);
    }

    /// <summary>The README's "Scripting Octopus" session, line by line as written (only `./octopus` becomes the test's
    /// build of the CLI), logged in as the admin through the CLI's config file; then its F# snippet in <c>dotnet fsi</c>.</summary>
    [Fact]
    public async Task Readme_ScriptingSession_EveryLineSucceeds()
    {
        var admin = Admin;
        var root = RepoRoot();
        var readme = await File.ReadAllTextAsync(Path.Combine(root, "README.md"), TestContext.Current.CancellationToken);
        var section = readme[readme.IndexOf("## Scripting Octopus", StringComparison.Ordinal)..];
        section = section[..section.IndexOf("\n## ", StringComparison.Ordinal)];
        var env = new Dictionary<string, string> { ["OCTOPUS_CONFIG"] = admin.ConfigPath };
        var lines = Block(section, "```sh").Split('\n')
            .Select(l => l.Contains(" # ", StringComparison.Ordinal) ? l[..l.IndexOf(" # ", StringComparison.Ordinal)] : l)
            .Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        lines.Should().HaveCountGreaterThan(8);
        foreach (var line in lines)
        {
            var command = line.Replace("./octopus ", $"dotnet '{CliProcess.DllPath}' ", StringComparison.Ordinal);
            var run = await RunProcessAsync("bash", ["-c", command], env);
            run.Exit.Should().Be(0, $"README line `{line}` failed:\n{run.Out}\n{run.Err}");
        }

        var fsx = Path.Combine(root, $".readme-session-{Guid.NewGuid():N}.fsx");
        await File.WriteAllTextAsync(fsx, Block(section, "```fsharp"), TestContext.Current.CancellationToken);
        try
        {
            var run = await RunProcessAsync("dotnet", ["fsi", fsx], env);
            run.Exit.Should().Be(0, $"README F# snippet failed:\n{run.Out}\n{run.Err}");
        }
        finally
        {
            File.Delete(fsx);
        }
    }

    private static string Block(string text, string fence)
    {
        var block = text[(text.IndexOf(fence, StringComparison.Ordinal) + fence.Length)..];
        return block[..block.IndexOf("```", StringComparison.Ordinal)];
    }

    [Fact]
    public async Task Script_CompileError_PrintsFileLineColumnAndExits1()
    {
        var admin = Admin;
        var file = TempScript("var ok = 1;\nvar broken = ;\n");
        var run = await admin.RunAsync("script", file);
        run.Exit.Should().Be(ExitCodes.Rejected);
        run.Err.Should().Contain($"{file}(2,14): error CS1525");
        run.Err.Should().Contain("did not compile");
    }

    [Fact]
    public async Task Script_RuntimeFailures_AreOneErrorLine()
    {
        var admin = Admin;
        var thrown = await admin.RunAsync("script", TempScript("Print(\"before\");\nthrow new InvalidOperationException(\"boom\");\n"));
        thrown.Exit.Should().Be(ExitCodes.Rejected);
        thrown.Out.Should().Contain("before");
        thrown.Err.Should().Contain("the script failed at").And.Contain(":2").And.Contain("boom");

        var refused = await admin.RunAsync("script", TempScript("await octopus.Vms.GetAsync(\"no-such-vm\");\n"));
        refused.Exit.Should().Be(ExitCodes.Rejected);
        refused.Err.Should().StartWith("error: ").And.Contain("no-such-vm").And.NotContain("   at ");
    }

    [Fact]
    public async Task Script_NoServer_IsAConnectionError()
    {
        _ = Admin;
        var nobody = new CliProcess(server.NewConfigPath());
        var run = await nobody.RunAsync("script", TempScript("Print(octopus.Me());\n"), "--url", "http://127.0.0.1:1", "--token", "x");
        run.Exit.Should().Be(ExitCodes.CannotConnect);
        run.Err.Should().StartWith("error: Cannot connect to http://127.0.0.1:1/");
    }

    [Fact]
    public async Task Script_Args_AreVisibleAsArgs()
    {
        var run = await Admin.RunAsync("script", TempScript("Print(string.Join(\"|\", Args));\n"), "--", "one", "--two");
        run.Exit.Should().Be(0, run.Err);
        run.Out.Trim().Should().Be("one|--two");
    }

    [Fact]
    public async Task Shell_RunsSubmissionsFromStdin_KeepsStateAndSurvivesErrors()
    {
        var input = "var n = 2 +\n  3;\nn * 2\nundefinedName\noctopus.Me().Username\n(await octopus.Vms.AllAsync()).Count >= 0\n#exit\n";
        var run = await Admin.RunWithInputAsync(input, "shell");
        run.Exit.Should().Be(0, run.Err);
        run.Out.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Should().Equal("10", "admin", "True");
        run.Err.Should().Contain("error CS0103").And.Contain("undefinedName");
    }

    [Fact]
    public async Task Package_PacksAndRestoresIntoAFreshProject_WhichTalksToTheServer()
    {
        _ = Admin;
        var ct = TestContext.Current.CancellationToken;
        var work = Directory.CreateTempSubdirectory("octopus-pack-").FullName;
        try
        {
            // A version no other feed has, so restore can only take it from the local folder.
            var version = "1.0.0-e2e" + DateTime.UtcNow.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture);
            var feed = Path.Combine(work, "feed");
            var pack = await RunProcessAsync("dotnet", ["pack", Path.Combine(RepoRoot(), "src", "Octopus.Client"), "-c", "Release",
                "-o", feed, "-p:Version=" + version, "-nologo"], [], TimeSpan.FromMinutes(5));
            pack.Exit.Should().Be(0, pack.Out + pack.Err);
            var client = Path.Combine(feed, $"Octopus.Client.{version}.nupkg");
            File.Exists(client).Should().BeTrue(string.Join(", ", Directory.GetFiles(feed)));
            File.Exists(Path.Combine(feed, $"Octopus.Contracts.{version}.nupkg")).Should().BeTrue();
            using (var zip = System.IO.Compression.ZipFile.OpenRead(client))
            {
                zip.Entries.Select(e => e.FullName).Should().Contain(["lib/net10.0/Octopus.Client.dll", "lib/net10.0/Octopus.Client.xml", "README.md"]);
                using var nuspec = new StreamReader(zip.GetEntry("Octopus.Client.nuspec")!.Open());
                var text = await nuspec.ReadToEndAsync(ct);
                text.Should().Contain("<license type=\"expression\">").And.Contain($"id=\"Octopus.Contracts\" version=\"{version}\"");
            }

            var app = Path.Combine(work, "app");
            Directory.CreateDirectory(app);
            await File.WriteAllTextAsync(Path.Combine(app, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <add key="octopus-local" value="{feed}" />
                  </packageSources>
                </configuration>
                """, ct);
            await File.WriteAllTextAsync(Path.Combine(app, "app.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <Nullable>enable</Nullable>
                    <ImplicitUsings>enable</ImplicitUsings>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="Octopus.Client" Version="{version}" />
                  </ItemGroup>
                </Project>
                """, ct);
            await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), """
                using Octopus.Client;
                using Octopus.Contracts;
                using var octopus = OctopusClient.Connect();
                var vm = await octopus.Vms.CreateAsync(new VmCreateRequest("pkg-vm", 1, 512L << 20, 1L << 30, "debian-12"));
                var handle = octopus.Vms.Handle(vm);
                await handle.WaitForAsync(VmStates.Running);
                await handle.StopAsync();
                await handle.WaitUntilSettledAsync();
                var hosts = 0;
                await foreach (var _ in octopus.Hosts.ListAsync()) hosts++;
                Console.WriteLine($"{handle.Name} {handle.State} hosts={hosts} me={octopus.Me().Username}");
                """, ct);
            var runApp = await RunProcessAsync("dotnet", ["run", "--project", app], Env(), TimeSpan.FromMinutes(5));
            runApp.Exit.Should().Be(0, runApp.Out + runApp.Err);
            runApp.Out.Should().Contain("pkg-vm Stopped hosts=").And.Contain("me=admin");
            using var octopus = Client();
            (await octopus.Vms.GetAsync("pkg-vm", ct)).State.Should().Be(VmStates.Stopped);
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }

    [GeneratedRegex(@"(\d+) idle of (\d+) running")]
    private static partial Regex IdleTotals();

    private OctopusClient Client() => new(new Uri(server.Url), AdminToken());

    private string AdminToken() =>
        JsonDocument.Parse(File.ReadAllText(Admin.ConfigPath)).RootElement.GetProperty("token").GetString()!;

    /// <summary>What a script run outside the CLI needs: the server and the admin's token in the environment.</summary>
    private Dictionary<string, string> Env() => new() { ["OCTOPUS_URL"] = server.Url, ["OCTOPUS_TOKEN"] = AdminToken() };

    /// <summary>This test's script files, in a folder of its own that <see cref="Dispose"/> deletes.</summary>
    private readonly string _scripts = Directory.CreateTempSubdirectory("octopus-scripts-").FullName;

    private string TempScript(string code)
    {
        var path = Path.Combine(_scripts, $"script-{Guid.NewGuid():N}.csx");
        File.WriteAllText(path, code);
        return path;
    }

    public void Dispose()
    {
        try { Directory.Delete(_scripts, recursive: true); } catch (IOException) { }
    }

    /// <summary>Runs scripts/build-client once per test run: the documented way to get .build/client/Octopus.Client.dll.</summary>
    private static async Task EnsureClientBuiltAsync()
    {
        await BuildOnce.WaitAsync();
        try
        {
            if (_clientBuilt) return;
            var build = await RunProcessAsync("bash", [Path.Combine(RepoRoot(), "scripts", "build-client")], [], TimeSpan.FromMinutes(5));
            build.Exit.Should().Be(0, build.Out + build.Err);
            File.Exists(Path.Combine(RepoRoot(), ".build", "client", "Octopus.Client.dll")).Should().BeTrue();
            _clientBuilt = true;
        }
        finally
        {
            BuildOnce.Release();
        }
    }

    private static async Task<(int Exit, string Out, string Err)> RunProcessAsync(string file, string[] args, Dictionary<string, string> env,
        TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
            WorkingDirectory = RepoRoot(),
        };
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment.Remove("OCTOPUS_URL");
        start.Environment.Remove("OCTOPUS_TOKEN");
        start.Environment["OCTOPUS_CONFIG"] = Path.Combine(Path.GetTempPath(), "octopus-no-config-" + Guid.NewGuid().ToString("N") + ".json");
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (k, v) in env) start.Environment[k] = v;
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in time.\n{await stdout}\n{await stderr}");
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    private static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Octopus.slnx"))) return d.FullName;
        throw new InvalidOperationException("cannot find the repository root (Octopus.slnx) above " + AppContext.BaseDirectory);
    }
}
