using System.Net;
using System.Net.Http.Json;
using System.Text;
using Octopus.Contracts;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Api;

public class BadInputTests : IAsyncLifetime
{
    private TestServerApp _server = null!;
    private HttpClient _http = null!;

    public async ValueTask InitializeAsync()
    {
        _server = await TestServerApp.StartAsync();
        _http = await _server.LoginAsync();
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData(-1, 4.0, 20.0, "debian-12", "cores")]
    [InlineData(5000, 4.0, 20.0, "debian-12", "cores")]
    [InlineData(2, 0.0, 20.0, "debian-12", "memoryBytes")]
    [InlineData(2, 4.0, -1.0, "debian-12", "diskBytes")]
    [InlineData(64, 4.0, 20.0, "debian-12", "cores")]        // sane, but larger than any host (8 cores)
    [InlineData(2, 64.0, 20.0, "debian-12", "memoryBytes")]  // larger than any host (16 GiB)
    [InlineData(2, 4.0, 20.0, "no-such-image", "image")]
    [InlineData(2, 4.0, 20.0, "Bad Image!", "image")]
    public async Task Create_BadGeometryOrImage_Is400NamingTheField(int cores, double mem, double disk, string image, string field)
    {
        var r = await _http.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("x1", cores, mem, disk, image));
        r.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var p = await r.ProblemAsync();
        p.GetProperty("field").GetString().Should().Be(field);
        p.GetProperty("detail").GetString().Should().NotBeNullOrWhiteSpace();
        await NothingWasCreatedAsync();
    }

    [Theory]
    [InlineData("Web1")]
    [InlineData("")]
    [InlineData("../etc")]
    public async Task Create_BadName_Is400(string name)
    {
        var r = await _http.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm(name));
        r.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await r.ProblemAsync()).GetProperty("field").GetString().Should().Be("name");
    }

    [Fact]
    public async Task Create_DuplicateName_Is409AndTheFirstIsUntouched()
    {
        (await _http.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("dup"))).StatusCode.Should().Be(HttpStatusCode.Created);
        var r = await _http.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("dup", cores: 1));
        r.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await r.ProblemAsync()).GetProperty("detail").GetString().Should().Contain("already has a VM named 'dup'");
        var page = await (await _http.GetAsync(ApiRoutes.Vms)).ReadAsync<Page<VmDto>>();
        page.Items.Should().ContainSingle().Which.Cores.Should().Be(2);
    }

    [Fact]
    public async Task Create_MalformedJson_Is400Problem()
    {
        var r = await _http.PostAsync(ApiRoutes.Vms, new StringContent("{\"name\": \"x\", cores: }", Encoding.UTF8, "application/json"));
        r.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await r.ProblemAsync()).GetProperty("code").GetString().Should().Be("request.malformed-json");
        await NothingWasCreatedAsync();
    }

    [Fact]
    public async Task Create_WrongType_Is400NamingTheField()
    {
        var r = await _http.PostAsync(ApiRoutes.Vms, new StringContent("{\"name\": \"x\", \"cores\": \"two\"}", Encoding.UTF8, "application/json"));
        r.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await r.ProblemAsync()).GetProperty("field").GetString().Should().Be("cores");
    }

    [Fact]
    public async Task Create_OversizedBody_Is413()
    {
        var huge = "{\"name\": \"" + new string('a', 2 * 1024 * 1024) + "\"}";
        var r = await _http.PostAsync(ApiRoutes.Vms, new StringContent(huge, Encoding.UTF8, "application/json"));
        r.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        (await r.ProblemAsync()).GetProperty("code").GetString().Should().Be("request.too-large");
    }

    [Fact]
    public async Task Create_EmptyBody_Is400()
    {
        var r = await _http.PostAsync(ApiRoutes.Vms, new StringContent("", Encoding.UTF8, "application/json"));
        r.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        await r.ProblemAsync();
    }

    [Fact]
    public async Task UnknownRoute_Is404Problem()
    {
        var r = await _http.GetAsync("/api/v1/nope");
        r.StatusCode.Should().Be(HttpStatusCode.NotFound);
        await r.ProblemAsync();
    }

    [Fact]
    public async Task List_BadFilters_Are400()
    {
        (await _http.GetAsync(ApiRoutes.Vms + "?state=Flying")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await _http.GetAsync(ApiRoutes.Vms + "?limit=0")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await _http.GetAsync(ApiRoutes.Vms + "?cursor=garbage")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task FailedCreate_IsAudited()
    {
        await _http.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("x1", cores: -3));
        var audit = await (await _http.GetAsync(ApiRoutes.Audit)).ReadAsync<Page<AuditEntryDto>>();
        audit.Items.Should().Contain(a => a.Action == "vm.create" && !a.Succeeded && a.Result.Contains("cores"));
    }

    private async Task NothingWasCreatedAsync()
    {
        var page = await (await _http.GetAsync(ApiRoutes.Vms)).ReadAsync<Page<VmDto>>();
        page.Items.Should().BeEmpty();
    }
}
