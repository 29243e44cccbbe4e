using System.Net.Http.Headers;
using Prometheus;

namespace Handoff.Operator;

/// <summary>
/// The /metrics endpoint: <see cref="OperatorMetrics.ExportAsync"/> in the format the scraper asks for — OpenMetrics
/// when its <c>Accept</c> header prefers <c>application/openmetrics-text</c> (Prometheus does), else the Prometheus text
/// format 0.0.4 — as prometheus-net's own endpoint negotiates it.
/// </summary>
public static class MetricsExposition
{
    /// <summary>The format an <c>Accept</c> header asks for, and its content type.</summary>
    public static (ExpositionFormat Format, string ContentType) Negotiate(string? accept)
    {
        var wanted = (accept ?? "")
            .Split(',')
            .Select(part => MediaTypeWithQualityHeaderValue.TryParse(part, out var media) ? media : null)
            .OfType<MediaTypeWithQualityHeaderValue>()
            .OrderByDescending(media => media.Quality ?? 1);
        foreach (var media in wanted)
        {
            if (string.Equals(media.MediaType, PrometheusConstants.OpenMetricsContentType, StringComparison.OrdinalIgnoreCase))
            {
                return (ExpositionFormat.OpenMetricsText, PrometheusConstants.OpenMetricsContentTypeWithVersionAndEncoding);
            }

            if (string.Equals(media.MediaType, PrometheusConstants.TextContentType, StringComparison.OrdinalIgnoreCase))
            {
                break;
            }
        }

        return (ExpositionFormat.PrometheusText, PrometheusConstants.TextContentTypeWithVersionAndEncoding);
    }

    /// <summary>Serves one scrape, written straight to the response (the export holds its registry part in memory already).</summary>
    public static async Task ServeAsync(HttpContext context, OperatorMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(metrics);
        var (format, contentType) = Negotiate(context.Request.Headers.Accept.ToString());
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = contentType;
        try
        {
            await metrics.ExportAsync(context.Response.Body, format, context.RequestAborted);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The scraper gave up.
        }
    }
}
