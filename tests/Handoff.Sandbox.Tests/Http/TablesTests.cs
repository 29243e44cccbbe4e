using System.Net.Http.Headers;
using System.Text.Json;
using Handoff.Sandbox.Tests.Support;

namespace Handoff.Sandbox.Tests.Http;

/// <summary>Server-side tables: CRD printer columns keep their priority whatever the CRD was written as.</summary>
public sealed class TablesTests : EmulatorTest
{
    [Fact]
    public async Task Printer_columns_of_a_CRD_applied_as_YAML_keep_their_priority()
    {
        // YAML numbers are stored as 64-bit integers; a priority read as a 32-bit one was lost (kubectl then showed the column without -o wide).
        await Server.ApplyAsync(TestData.WidgetCrd + "\n---\n" + TestData.Widget("w", 1), cancellationToken: Ct);
        using var http = new HttpClient { BaseAddress = Server.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("apis/sandbox.test/v1/namespaces/default/widgets", UriKind.Relative));
        request.Headers.Accept.Add(MediaTypeWithQualityHeaderValue.Parse("application/json;as=Table;v=v1;g=meta.k8s.io"));
        using var response = await http.SendAsync(request, Ct);
        var columns = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("columnDefinitions");
        Assert.Equal([("Name", 0), ("Phase", 0), ("Size", 0), ("Note", 1), ("Age", 0)],
            columns.EnumerateArray().Select(c => (c.GetProperty("name").GetString(), c.GetProperty("priority").GetInt32())));
    }
}
