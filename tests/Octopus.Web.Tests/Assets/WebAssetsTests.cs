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
        response.Headers.CacheControl!.NoCache.Should().BeTrue("the page is revalidated on every load, so a new server never shows a stale one");
        var html = await response.Content.ReadAsStringAsync();
        html.Should().MatchRegex("<script type=\"module\" src=\"/assets/[0-9a-f]{12}/js/app.js\">");
    }

    [Fact]
    public async Task ThePagesAssets_AreVersioned_AndCachedForGood()
    {
        await using var server = await TestServerApp.StartAsync();
        var http = server.Anonymous();
        var html = await http.GetStringAsync("/");

        var assets = System.Text.RegularExpressions.Regex.Matches(html, "(?:href|src)=\"(/assets/[^\"]+)\"").Select(m => m.Groups[1].Value).ToList();

        var version = assets[0][..21];
        assets.Should().HaveCount(4, "the stylesheet, the icon, theme.js and app.js").And.OnlyContain(a => a.StartsWith(version, StringComparison.Ordinal));
        foreach (var asset in assets)
        {
            var response = await http.GetAsync(asset);
            response.StatusCode.Should().Be(HttpStatusCode.OK, asset);
            response.Headers.CacheControl!.ToString().Should().Contain("immutable").And.Contain("max-age=31536000", asset);
        }
        // A module the app imports by a relative path, and noVNC as the Screen page imports it, come from the same version.
        (await http.GetAsync(version + "js/routes.js")).Headers.CacheControl!.ToString().Should().Contain("immutable");
        (await http.GetAsync(version + "vendor/novnc/core/rfb.js")).StatusCode.Should().Be(HttpStatusCode.OK);
        // Another version's path (a page loaded before an upgrade) still answers, revalidated rather than kept.
        var old = await http.GetAsync("/assets/000000000000/js/app.js");
        old.StatusCode.Should().Be(HttpStatusCode.OK);
        old.Headers.CacheControl!.NoCache.Should().BeTrue();
        (await http.GetAsync(version + "js/nope.js")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("br", "br")]
    [InlineData("gzip, deflate, br", "br")]
    [InlineData("gzip", "gzip")]
    [InlineData("br;q=0, gzip", "gzip")]
    [InlineData("*", "br")]
    [InlineData("identity", null)]
    [InlineData("", null)]
    public async Task TextAssets_AreCompressed_AsTheBrowserAccepts(string accept, string? expected)
    {
        await using var server = await TestServerApp.StartAsync();
        var http = server.Anonymous();
        var plain = await (await http.GetAsync("/js/app.js")).Content.ReadAsByteArrayAsync();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/js/app.js");
        if (accept.Length > 0) request.Headers.TryAddWithoutValidation("Accept-Encoding", accept);
        var response = await http.SendAsync(request);

        response.Headers.Vary.Should().Contain("Accept-Encoding");
        var body = await response.Content.ReadAsByteArrayAsync();
        if (expected is null)
        {
            response.Content.Headers.ContentEncoding.Should().BeEmpty();
            body.Should().Equal(plain);
            return;
        }
        response.Content.Headers.ContentEncoding.Should().Equal(expected);
        body.Length.Should().BeLessThan(plain.Length / 2, "JavaScript compresses well");
        using var input = new MemoryStream(body);
        using Stream decoder = expected == "br" ? new System.IO.Compression.BrotliStream(input, System.IO.Compression.CompressionMode.Decompress)
            : new System.IO.Compression.GZipStream(input, System.IO.Compression.CompressionMode.Decompress);
        using var output = new MemoryStream();
        await decoder.CopyToAsync(output);
        output.ToArray().Should().Equal(plain, "the compressed answer is the same file");
        response.Headers.ETag!.Tag.Should().EndWith("-" + expected + "\"", "each encoding is its own representation");

        using var again = new HttpRequestMessage(HttpMethod.Get, "/js/app.js");
        again.Headers.TryAddWithoutValidation("Accept-Encoding", accept);
        again.Headers.IfNoneMatch.Add(new EntityTagHeaderValue(response.Headers.ETag.Tag));
        (await http.SendAsync(again)).StatusCode.Should().Be(HttpStatusCode.NotModified);
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
