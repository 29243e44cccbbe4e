using System.Text.Json;
using Handoff.Sandbox.Tests.Support;

namespace Handoff.Sandbox.Tests.Http;

/// <summary>The OpenAPI documents kubectl reads: v2 (JSON and protobuf) for client-side validation of Lists.</summary>
public sealed class OpenApiTests : EmulatorTest
{
    [Fact]
    public async Task OpenAPI_v2_is_a_swagger_document_without_definitions_in_JSON_and_in_protobuf()
    {
        using var http = new HttpClient { BaseAddress = Server.BaseAddress };
        var json = JsonDocument.Parse(await http.GetStringAsync(new Uri("openapi/v2", UriKind.Relative), Ct)).RootElement;
        Assert.Equal("2.0", json.GetProperty("swagger").GetString());
        Assert.Empty(json.GetProperty("definitions").EnumerateObject());

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("openapi/v2", UriKind.Relative));
        request.Headers.TryAddWithoutValidation("Accept", "application/com.github.proto-openapi.spec.v2@v1.0+protobuf");
        using var response = await http.SendAsync(request, Ct);
        var bytes = await response.Content.ReadAsByteArrayAsync(Ct);

        // Field 1 (swagger) = "2.0", then info (2), paths (8) and definitions (9), the last two empty.
        Assert.Equal(new byte[] { 0x0a, 3, (byte)'2', (byte)'.', (byte)'0', 0x12 }, bytes[..6]);
        Assert.Equal(new byte[] { 0x42, 0, 0x4a, 0 }, bytes[^4..]);
    }
}
