namespace Handoff.Cli.Rendering;

/// <summary>Writes a scene as SVG or PNG to a file or to standard output.</summary>
internal static class PictureOutput
{
    public static async Task<int> WriteAsync(Scene scene, string format, string? file, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        try
        {
            if (format == "png")
            {
                var png = PngWriter.Write(scene);
                if (file is not null)
                {
                    await File.WriteAllBytesAsync(file, png, cancellationToken);
                }
                else if (ReferenceEquals(output, Console.Out) && Console.IsOutputRedirected)
                {
                    await using var stdout = Console.OpenStandardOutput();
                    await stdout.WriteAsync(png, cancellationToken);
                }
                else
                {
                    await error.WriteLineAsync("error: a PNG is not written to a terminal: pass --file PATH or redirect the output");
                    return 1;
                }

                return 0;
            }

            var svg = SvgWriter.Write(scene);
            if (file is not null)
            {
                await File.WriteAllTextAsync(file, svg, cancellationToken);
            }
            else
            {
                await output.WriteAsync(svg);
            }

            return 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"error: cannot write {file}: {e.Message}");
            return 1;
        }
    }
}
