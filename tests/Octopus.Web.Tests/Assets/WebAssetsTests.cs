using System.Net;
using System.Net.Http.Headers;
using Octopus.TestKit;

namespace Octopus.Web.Tests.Assets;

public class WebAssetsTests
{
    [Fact]
    public async Task Root_ServesTheShell_WithStrictContentSecurityPolicy()
    {
        await using var server = await TestServerApp.StartAsync();

        var response = await server.Anonymous().GetAsync("/");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
        response.Headers.GetValues("Content-Security-Policy").Single().Should().Contain("default-src 'self'").And.NotContain("unsafe-inline");
        (await response.Content.ReadAsStringAsync()).Should().Contain("<script type=\"module\" src=\"/js/app.js\">");
    }

    [Theory]
    [InlineData("/app.css", "text/css")]
    [InlineData("/js/app.js", "text/javascript")]
    [InlineData("/js/routes.js", "text/javascript")]
    [InlineData("/js/pages/vms.js", "text/javascript")]
    [InlineData("/favicon.svg", "image/svg+xml")]
    [InlineData("/favicon.ico", "image/svg+xml")]
    // noVNC (npm, embedded at build time after scripts/install-deps): the module the Screen page imports, the pako
    // inflate it imports by a relative path, and its licence.
    [InlineData("/vendor/novnc/core/rfb.js", "text/javascript")]
    [InlineData("/vendor/novnc/vendor/pako/lib/zlib/inflate.js", "text/javascript")]
    [InlineData("/vendor/novnc/LICENSE.txt", "text/plain")]
    public async Task Assets_AreServedWithTypeAndETag_AndRevalidateTo304(string path, string type)
    {
        await using var server = await TestServerApp.StartAsync();
        var http = server.Anonymous();

        var first = await http.GetAsync(path);
        first.StatusCode.Should().Be(HttpStatusCode.OK);
        first.Content.Headers.ContentType!.MediaType.Should().Be(type);
        var etag = first.Headers.ETag;
        etag.Should().NotBeNull();

        using var again = new HttpRequestMessage(HttpMethod.Get, path);
        again.Headers.IfNoneMatch.Add(new EntityTagHeaderValue(etag!.Tag));
        (await http.SendAsync(again)).StatusCode.Should().Be(HttpStatusCode.NotModified);
    }

    [Theory]
    [InlineData("/js/nope.js")]
    [InlineData("/js/pages/vms.cs")]
    public async Task MissingOrForbiddenFiles_Are404Problems(string path)
    {
        await using var server = await TestServerApp.StartAsync();

        var response = await server.Anonymous().GetAsync(path);

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await response.ProblemAsync()).GetProperty("code").GetString().Should().Be("not-found");
    }

    [Fact]
    public async Task EveryPageInRoutesJs_Exists()
    {
        await using var server = await TestServerApp.StartAsync();
        var http = server.Anonymous();
        var routes = await http.GetStringAsync("/js/routes.js");

        var pages = System.Text.RegularExpressions.Regex.Matches(routes, @"load: \(\) => import\('\./(pages/[a-z0-9-]+\.js)'\)").Select(m => m.Groups[1].Value).ToList();

        pages.Should().Contain("pages/vms.js").And.Contain("pages/login.js");
        foreach (var page in pages)
            (await http.GetAsync("/js/" + page)).StatusCode.Should().Be(HttpStatusCode.OK, $"{page} is listed in routes.js");
    }
}
