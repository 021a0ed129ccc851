using System.Net.Http.Json;
using Octopus.Contracts;

namespace Octopus.Web.Tests.Browser;

/// <summary>Issue 18's English and Italian in headless Chromium against a real server (scenario i18n.mjs): a browser in
/// it-IT gets the login page, navigation, VM list, VM page (with its graphs and security rules), Create VM, Networks,
/// Tasks, My policies and profile in Italian with
/// <c>&lt;html lang="it"&gt;</c>, an Italian date and "1,5 GiB"; the profile's language choice overrides the browser's
/// and survives a reload; a browser in en-US gets English and an English date. The administrator in Italian gets the
/// admin pages (users, hosts, all VMs, the audit log with times to the second, power) in Italian. A refused Create VM (a
/// name taken) shows the refusal in Italian, from the problem's code and args (and the catalogue's English in en-US).
/// axe-core on each page, 360 px for the Italian list.</summary>
[Collection(BrowserCollection.Name)]
public class I18nBrowserTests(WebServerFixture server)
{
    [Fact]
    public async Task Pages_FollowTheBrowsersLanguage_ItalianOrEnglish_AndTheProfilesChoice()
    {
        server.RequireBrowser();
        const string user = "italo", vm = "lingua";
        using (var admin = await server.ClientAsync("admin", WebServerFixture.AdminPassword))
        using (var r = await admin.PostAsJsonAsync("/api/v1/users", new UserCreateRequest(user, WebServerFixture.PasswordOf(user), "user")))
            r.EnsureSuccessStatusCode();
        using var italo = await server.ClientAsync(user, WebServerFixture.PasswordOf(user));
        using (var r = await italo.PostAsJsonAsync("/api/v1/vms", new VmCreateRequest(vm, 1, 1536L << 20, 4L << 30, "debian-12")))
            r.EnsureSuccessStatusCode();
        for (var i = 0; i < 300 && (await italo.GetFromJsonAsync<VmDto>($"/api/v1/vms/{vm}"))!.State != "Running"; i++) await Task.Delay(100);

        var run = await server.RunScenarioAsync("i18n", new Dictionary<string, string>
        {
            ["OCTOPUS_USER"] = user, ["OCTOPUS_PASSWORD"] = WebServerFixture.PasswordOf(user), ["VM_NAME"] = vm,
            ["ADMIN_PASSWORD"] = WebServerFixture.AdminPassword,
        });

        run.Exit.Should().Be(0, $"the scenario failed:\n{run.Out}\n{run.Err}\n--- server log ---\n{server.ServerLog}");
        run.Out.Should().Contain("Italian: lang=it").And.Contain("Tasks, policies and profile").And.Contain("(1 vCPU · 1,5 GiB · 4 GiB)")
            .And.Contain("English chosen on the profile page").And.Contain("brings Italian back")
            .And.Contain("axe-core: 0 serious/critical on the VM list in Italian at 360 px")
            .And.Contain("Italian admin pages: Utenti e quote (role utente), Host (").And.Contain("axe-core: 0 serious/critical on Registro di controllo")
            .And.Contain("English: lang=en").And.Contain("(1 vCPU · 1.5 GiB · 4 GiB)")
            .And.Contain($"Italian refusal: \"Il proprietario ha già una VM chiamata «{vm}»; scegli un altro nome.\"")
            .And.Contain($"English refusal: \"A VM named '{vm}' already exists for its owner; choose another name.\"");
        (await italo.DeleteAsync($"/api/v1/vms/{vm}")).EnsureSuccessStatusCode();
    }
}
