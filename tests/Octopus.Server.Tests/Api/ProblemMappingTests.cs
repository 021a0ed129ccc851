using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Octopus.Disks.Backends;
using Octopus.Domain;
using Octopus.Server.Api;

namespace Octopus.Server.Tests.Api;

public class ProblemMappingTests
{
    [Theory]
    [InlineData(ErrorKind.Validation, 400)]
    [InlineData(ErrorKind.Unauthenticated, 401)]
    [InlineData(ErrorKind.Forbidden, 403)]
    [InlineData(ErrorKind.NotFound, 404)]
    [InlineData(ErrorKind.Conflict, 409)]
    [InlineData(ErrorKind.QuotaExceeded, 403)]
    public void Describe_DomainErrors_MapToTheirStatus(ErrorKind kind, int status) =>
        ProblemMapping.Describe(new DomainException(kind, "c", "m", "f")).Status.Should().Be(status);

    [Fact]
    public void Describe_StorageFailure_Is503WithTheToolMessage()
    {
        var d = ProblemMapping.Describe(new DiskBackendException("qemu-img create failed: No space left on device"));
        d.Status.Should().Be(503);
        d.Code.Should().Be("storage.failed");
        d.Detail.Should().Contain("No space left on device");
    }

    [Fact]
    public void Describe_JsonError_NamesTheField()
    {
        var inner = new JsonException("bad", "$.memoryBytes", 0, 3);
        var d = ProblemMapping.Describe(new BadHttpRequestException("bad body", 400, inner));
        d.Field.Should().Be("memoryBytes");
        d.Code.Should().Be("request.malformed-json");
    }

    [Fact]
    public void Describe_Unexpected_HidesInternals()
    {
        var d = ProblemMapping.Describe(new InvalidOperationException("secret connection string"));
        d.Status.Should().Be(500);
        d.Detail.Should().NotContain("secret");
    }
}
