using System.Diagnostics;

namespace Handoff.Testing;

public sealed record ProcessResult(string Command, int ExitCode, string Stdout, string Stderr)
{
    public bool Succeeded => ExitCode == 0;

    public override string ToString() => $"`{Command}` exited {ExitCode}\n--- stderr ---\n{Stderr}\n--- stdout ---\n{Stdout}";
}

/// <summary>Runs a command to completion with a timeout; the process tree is killed on timeout or cancellation.</summary>
public static class Processes
{
    /// <param name="environment">Variables to set; a null value removes the variable.</param>
    public static async Task<ProcessResult> RunAsync(
        string fileName,
        IEnumerable<string> arguments,
        TimeSpan timeout,
        CancellationToken cancellationToken,
        string? stdin = null,
        IReadOnlyDictionary<string, string?>? environment = null,
        string? workingDirectory = null)
    {
        var startInfo = StartInfo(fileName, arguments, redirectStdin: stdin is not null, environment, workingDirectory);
        var command = fileName + " " + string.Join(' ', startInfo.ArgumentList);
        using var process = Process.Start(startInfo)!;
        // Read to the end rather than by lines, so that the output is exact (e.g. no newline added after jsonpath).
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin.AsMemory(), cancellationToken);
            process.StandardInput.Close();
        }

        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(timeoutSource.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            var errorSoFar = await stderr.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
            throw new TimeoutException($"`{command}` did not finish within {timeout} (or the test was cancelled).\n{errorSoFar}");
        }

        return new ProcessResult(command, process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Output and error redirected, run from the repository root unless told otherwise.</summary>
    public static ProcessStartInfo StartInfo(
        string fileName,
        IEnumerable<string> arguments,
        bool redirectStdin,
        IReadOnlyDictionary<string, string?>? environment = null,
        string? workingDirectory = null)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectStdin,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? RepoPaths.Root,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                startInfo.Environment.Remove(key);
            }
            else
            {
                startInfo.Environment[key] = value;
            }
        }

        return startInfo;
    }
}
