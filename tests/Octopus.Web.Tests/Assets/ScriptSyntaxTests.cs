using System.Diagnostics;

using Octopus.TestKit;

namespace Octopus.Web.Tests.Assets;

/// <summary>Every script of the web UI parses as an ES module (node --check on a .mjs copy: a plain .js file is not
/// reliably checked as a module). A syntax error in one page otherwise only shows up as "Something went wrong" when a
/// browser opens that page.</summary>
public class ScriptSyntaxTests
{
    [Fact]
    public async Task EveryWebScript_ParsesAsAModule()
    {
        var root = TestProcesses.RepositoryRoot();
        var js = Path.Combine(root, "src", "Octopus.Server", "Web", "wwwroot", "js");
        var scripts = Directory.GetFiles(js, "*.js", SearchOption.AllDirectories);
        scripts.Should().Contain(f => f.EndsWith("policies.js", StringComparison.Ordinal));

        var copies = Directory.CreateTempSubdirectory("octopus-js-check-").FullName;
        try
        {
            var failures = new List<string>();
            for (var i = 0; i < scripts.Length; i++)
            {
                var script = scripts[i];
                var copy = Path.Combine(copies, $"{i}-{Path.GetFileNameWithoutExtension(script)}.mjs");
                File.Copy(script, copy);
                var (exit, error) = await NodeCheckAsync(copy);
                if (exit is null)
                {
                    if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
                        throw new InvalidOperationException("node is missing; scripts/install-deps should have installed it.");
                    Assert.Skip("node is missing; run `bash scripts/install-deps`.");
                }
                if (exit != 0) failures.Add($"{Path.GetRelativePath(root, script)}: {error.Replace(copy, script, StringComparison.Ordinal)}");
            }
            failures.Should().BeEmpty("every web UI script must parse");
        }
        finally
        {
            Directory.Delete(copies, recursive: true);
        }
    }

    private static async Task<(int? Exit, string Error)> NodeCheckAsync(string file)
    {
        var start = new ProcessStartInfo("node") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("--check");
        start.ArgumentList.Add(file);
        Process? p;
        try { p = Process.Start(start); }
        catch (System.ComponentModel.Win32Exception) { return (null, ""); }
        if (p is null) return (null, "");
        using (p)
        {
            var stderr = p.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            _ = await p.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            await p.WaitForExitAsync(TestContext.Current.CancellationToken);
            return (p.ExitCode, (await stderr).Trim());
        }
    }

}
