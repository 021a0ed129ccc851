using System.Net;
using Octopus.Contracts;

namespace Octopus.Client.Tests;

public class OctopusClientTests
{
    private static readonly Uri Server = new("http://127.0.0.1:5080");

    // No back-off in tests: the retry count is what is under test, not the clock.
    private static readonly OctopusClientOptions Fast = new() { RetryBaseDelay = TimeSpan.Zero, PollInterval = TimeSpan.FromMilliseconds(1) };

    private static OctopusClient Client(StubHandler stub, string? token = "tok") => new(Server, token, Fast, stub);

    [Fact]
    public async Task GetAsync_SendsBearerTokenAndReadsCamelCase()
    {
        var stub = new StubHandler().ThenJson(HttpStatusCode.OK, Wire.Vm());
        using var client = Client(stub);

        var vm = await client.Vms.GetAsync("web1", TestContext.Current.CancellationToken);

        vm.Name.Should().Be("web1");
        vm.MemoryBytes.Should().Be(4L << 30);
        vm.Tags.Should().Equal("web");
        stub.Requests.Single().Should().Be((HttpMethod.Get, "/api/v1/vms/web1", "Bearer tok", (string?)null));
    }

    [Fact]
    public async Task GetAsync_NameWithSpaces_IsEscapedInThePath()
    {
        var stub = new StubHandler().ThenJson(HttpStatusCode.OK, Wire.Vm(name: "my vm"));
        using var client = Client(stub);

        await client.Vms.GetAsync("my vm", TestContext.Current.CancellationToken);

        stub.Requests.Single().PathAndQuery.Should().Be("/api/v1/vms/my%20vm");
    }

    [Fact]
    public async Task BaseAddressWithPath_KeepsThePrefix()
    {
        var stub = new StubHandler().ThenJson(HttpStatusCode.OK, Wire.Vm());
        using var client = new OctopusClient(new Uri("http://example.test/octopus"), "t", Fast, stub);

        await client.Vms.GetAsync("web1", TestContext.Current.CancellationToken);

        stub.Requests.Single().PathAndQuery.Should().Be("/octopus/api/v1/vms/web1");
    }

    [Fact]
    public async Task ListAsync_FollowsNextCursorUntilNull()
    {
        var stub = new StubHandler()
            .ThenJson(HttpStatusCode.OK, Wire.Page(Wire.Vm("a", id: "1") + "," + Wire.Vm("b", id: "2"), "c2"))
            .ThenJson(HttpStatusCode.OK, Wire.Page(Wire.Vm("c", id: "3"), null));
        using var client = Client(stub);

        var names = new List<string>();
        await foreach (var vm in client.Vms.ListAsync(new VmQuery(State: "Running"), pageSize: 2, TestContext.Current.CancellationToken))
            names.Add(vm.Name);

        names.Should().Equal("a", "b", "c");
        stub.Requests.Select(r => r.PathAndQuery).Should().Equal(
            "/api/v1/vms?state=Running&limit=2",
            "/api/v1/vms?state=Running&cursor=c2&limit=2");
    }

    [Fact]
    public async Task ListAsync_StoppingEarly_FetchesNoMorePages()
    {
        var stub = new StubHandler().ThenJson(HttpStatusCode.OK, Wire.Page(Wire.Vm("a"), "more"));
        using var client = Client(stub);

        await foreach (var _ in client.Vms.ListAsync(ct: TestContext.Current.CancellationToken)) break;

        stub.Requests.Should().HaveCount(1);
    }

    [Fact]
    public async Task ListAsync_RepeatedCursor_StopsInsteadOfLooping()
    {
        var stub = new StubHandler()
            .ThenJson(HttpStatusCode.OK, Wire.Page(Wire.Vm("a"), "same"))
            .ThenJson(HttpStatusCode.OK, Wire.Page(Wire.Vm("b"), "same"));
        using var client = Client(stub);

        var act = async () =>
        {
            await foreach (var _ in client.Vms.ListAsync(ct: TestContext.Current.CancellationToken)) { }
        };

        (await act.Should().ThrowAsync<OctopusApiException>()).Which.Code.Should().Be("client.cursor-loop");
    }

    [Fact]
    public async Task HostsListAsync_BareArray_IsOneLastPage()
    {
        const string host = """
            {"id":"h1","name":"host-01","powerState":"On","maintenance":false,"cores":8,"mipsPerCore":2660,"memoryBytes":1,
             "diskBytes":1,"allocatedCores":0,"allocatedMemoryBytes":0,"allocatedDiskBytes":0,"vmCount":0,"cpuLoad":0,
             "powerWatts":86,"vms":[]}
            """;
        var stub = new StubHandler().ThenJson(HttpStatusCode.OK, "[" + host + "]");
        using var client = Client(stub);

        var hosts = new List<HostDto>();
        await foreach (var h in client.Hosts.ListAsync(ct: TestContext.Current.CancellationToken)) hosts.Add(h);

        hosts.Select(h => h.Name).Should().Equal("host-01");
    }

    [Fact]
    public async Task ProblemDetails_BecomeTypedException()
    {
        var stub = new StubHandler().ThenJson(HttpStatusCode.Forbidden,
            Wire.Problem(403, "Quota exceeded", "Quota exceeded for cores: limit 4, in use 2, asked 4.", "quota-exceeded", "cores"),
            "application/problem+json");
        using var client = Client(stub);

        var act = () => client.Vms.CreateAsync(new VmCreateRequest("web1", 4, 1L << 30, 1L << 30, "debian-12"), TestContext.Current.CancellationToken);

        var e = (await act.Should().ThrowAsync<OctopusApiException>()).Which;
        e.Status.Should().Be(HttpStatusCode.Forbidden);
        e.Code.Should().Be("quota-exceeded");
        e.Field.Should().Be("cores");
        e.Title.Should().Be("Quota exceeded");
        e.Message.Should().Be("Quota exceeded for cores: limit 4, in use 2, asked 4.");
    }

    [Fact]
    public async Task ValidationProblemWithoutDetail_MessageListsFieldErrors()
    {
        var stub = new StubHandler().ThenJson(HttpStatusCode.BadRequest,
            """{"title":"One or more validation errors occurred.","status":400,"errors":{"cores":["must be positive"]}}""",
            "application/problem+json");
        using var client = Client(stub);

        var act = () => client.Vms.GetAsync("x", TestContext.Current.CancellationToken);

        (await act.Should().ThrowAsync<OctopusApiException>()).Which.Message.Should().Be("cores: must be positive");
    }

    [Fact]
    public async Task NonJsonError_KeepsTheStatusAndTheText()
    {
        var stub = new StubHandler().Then(_ => new HttpResponseMessage(HttpStatusCode.InternalServerError) { Content = new StringContent("boom") });
        using var client = Client(stub);

        var act = () => client.GetMeAsync(TestContext.Current.CancellationToken);

        var e = (await act.Should().ThrowAsync<OctopusApiException>()).Which;
        e.Status.Should().Be(HttpStatusCode.InternalServerError);
        e.Message.Should().Contain("500").And.Contain("boom");
    }

    [Theory]
    [InlineData(HttpStatusCode.BadGateway)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.GatewayTimeout)]
    public async Task Get_TransientStatus_IsRetried(HttpStatusCode transient)
    {
        var stub = new StubHandler()
            .Then(_ => new HttpResponseMessage(transient))
            .ThenRefuse()
            .ThenJson(HttpStatusCode.OK, Wire.Vm());
        using var client = Client(stub);

        var vm = await client.Vms.GetAsync("web1", TestContext.Current.CancellationToken);

        vm.Name.Should().Be("web1");
        stub.Requests.Should().HaveCount(3);
    }

    [Fact]
    public async Task Get_RefusedEveryTime_GivesUpAfterMaxRetriesWithConnectionError()
    {
        var stub = new StubHandler().ThenRefuse().ThenRefuse().ThenRefuse().ThenRefuse();
        using var client = Client(stub);

        var act = () => client.GetHealthAsync(TestContext.Current.CancellationToken);

        var e = (await act.Should().ThrowAsync<OctopusConnectionException>()).Which;
        e.Message.Should().Be("Cannot connect to http://127.0.0.1:5080/: connection refused.");
        stub.Requests.Should().HaveCount(4); // 1 attempt + MaxRetries (3)
    }

    [Fact]
    public async Task Get_NotFound_IsNotRetried()
    {
        var stub = new StubHandler().ThenJson(HttpStatusCode.NotFound, Wire.Problem(404, "Not found", "VM 'x' was not found.", "not-found"), "application/problem+json");
        using var client = Client(stub);

        var act = () => client.Vms.GetAsync("x", TestContext.Current.CancellationToken);

        await act.Should().ThrowAsync<OctopusApiException>();
        stub.Requests.Should().HaveCount(1);
    }

    [Fact]
    public async Task Post_ServiceUnavailable_IsNotRetried()
    {
        var stub = new StubHandler().Then(_ => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));
        using var client = Client(stub);

        var act = () => client.Vms.StartAsync("web1", TestContext.Current.CancellationToken);

        (await act.Should().ThrowAsync<OctopusApiException>()).Which.Status.Should().Be(HttpStatusCode.ServiceUnavailable);
        stub.Requests.Should().HaveCount(1);
    }

    [Fact]
    public async Task Post_Refused_IsNotRetried()
    {
        var stub = new StubHandler().ThenRefuse();
        using var client = Client(stub);

        var act = () => client.Vms.StopAsync("web1", TestContext.Current.CancellationToken);

        await act.Should().ThrowAsync<OctopusConnectionException>();
        stub.Requests.Should().HaveCount(1);
    }

    [Theory]
    [InlineData(1, 200)]  // 200 ms × 2^0
    [InlineData(2, 400)]  // 200 ms × 2^1
    [InlineData(3, 800)]  // 200 ms × 2^2
    [InlineData(6, 5000)] // 200 ms × 2^5 = 6400 ms, capped at 5 s
    public void RetryDelay_DoublesUpToTheCap(int attempt, int expectedMs) =>
        ApiConnection.RetryDelay(new OctopusClientOptions(), attempt).Should().Be(TimeSpan.FromMilliseconds(expectedMs));

    [Fact]
    public async Task LoginAsync_PostsCredentialsWithoutToken()
    {
        var stub = new StubHandler().ThenJson(HttpStatusCode.OK,
            """{"token":"abc","expiresAt":"2026-12-01T00:00:00Z","username":"admin","role":"admin"}""");

        var token = await OctopusClient.LoginAsync(Server, "admin", "s3cret", Fast, stub, TestContext.Current.CancellationToken);

        token.Token.Should().Be("abc");
        var request = stub.Requests.Single();
        request.PathAndQuery.Should().Be("/api/v1/auth/token");
        request.Authorization.Should().BeNull();
        request.Body.Should().Be("""{"username":"admin","password":"s3cret"}""");
    }

    [Fact]
    public async Task SetQuotaAsync_PutsTheWholeQuota()
    {
        var stub = new StubHandler().ThenJson(HttpStatusCode.OK,
            """{"id":"u1","username":"bob","role":"user","quota":{"maxCores":8},"usage":{"cores":0,"memoryBytes":0,"diskBytes":0,"vms":0},"createdAt":"2026-11-24T10:00:00Z"}""");
        using var client = Client(stub);

        var user = await client.Users.SetQuotaAsync("bob", new QuotaDto(MaxCores: 8), TestContext.Current.CancellationToken);

        user.Quota.MaxCores.Should().Be(8);
        stub.Requests.Single().Method.Should().Be(HttpMethod.Put);
        stub.Requests.Single().Body.Should().Be("""{"maxCores":8,"maxMemoryBytes":null,"maxDiskBytes":null,"maxVms":null}""");
    }

    [Fact]
    public void Ctor_HttpClientWithoutBaseAddress_IsRejected()
    {
        using var http = new HttpClient();
        FluentActions.Invoking(() => new OctopusClient(http)).Should().Throw<ArgumentException>().WithMessage("*BaseAddress*");
    }
}
