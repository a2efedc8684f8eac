using System.Text;
using SharpFuzz;

namespace DockerHostTools.Fuzz;

/// <summary>
/// The fuzz driver. <c>run TARGET</c> is what afl-fuzz starts (SharpFuzz's out-of-process loop: one input a round from
/// afl-fuzz, an unexpected exception reported as a crash); <c>seeds TARGET FIXTURES DIR</c> writes the seed corpus;
/// <c>replay TARGET PATH...</c> runs saved inputs once (a crash found by afl-fuzz, or a whole queue) and prints each
/// unexpected exception; <c>list</c> names the targets.
/// </summary>
internal static class Program
{
    private const int MaxInputBytes = 1 << 20;

    private static int Main(string[] args)
    {
        if (args.Length == 1 && args[0] == "list")
        {
            foreach (var t in FuzzTargets.All)
            {
                Console.WriteLine(t.Name);
            }

            return 0;
        }

        var target = args.Length >= 2 ? FuzzTargets.Find(args[1]) : null;
        if (target is null)
        {
            Console.Error.WriteLine("usage: DockerHostTools.Fuzz list | run TARGET | seeds TARGET FIXTURES DIR | replay TARGET PATH...");
            Console.Error.WriteLine("targets: " + string.Join(", ", FuzzTargets.All.Select(t => t.Name)));
            return 2;
        }

        switch (args[0])
        {
            case "run" when args.Length == 2:
                Fuzzer.OutOfProcess.Run(stream => RunOne(target, Read(stream)));
                return 0;
            case "seeds" when args.Length == 4:
                return WriteSeeds(target, args[2], args[3]);
            case "replay" when args.Length >= 3:
                return Replay(target, args.Skip(2));
            default:
                Console.Error.WriteLine($"unknown command or wrong arguments: {string.Join(' ', args)}");
                return 2;
        }
    }

    /// <summary>Runs one input: the parser's documented exceptions are its answer to bad input; anything else escapes.</summary>
    private static void RunOne(FuzzTarget target, string text)
    {
        try
        {
            target.Run(text);
        }
        catch (Exception e) when (target.IsExpected(e))
        {
        }
    }

    private static string Read(Stream stream)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int n;
        while (buffer.Length < MaxInputBytes && (n = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            buffer.Write(chunk, 0, n);
        }

        // Invalid UTF-8 becomes U+FFFD, as it does when the module decodes a program's output.
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)Math.Min(buffer.Length, MaxInputBytes));
    }

    private static int WriteSeeds(FuzzTarget target, string fixtures, string dir)
    {
        Directory.CreateDirectory(dir);
        var n = 0;
        foreach (var folder in target.SeedFolders)
        {
            var path = Path.Combine(fixtures, folder);
            if (!Directory.Exists(path))
            {
                Console.Error.WriteLine($"no fixture folder {path}");
                return 1;
            }

            // afl-fuzz wants small seeds: the captured outputs are all well under its 1 MB limit, the odd large one is left out.
            foreach (var file in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                // exit codes and READMEs are not what the parsers read
                var name = Path.GetFileName(file);
                if (name.EndsWith(".exitcode.txt", StringComparison.Ordinal) || name.StartsWith("README", StringComparison.Ordinal))
                {
                    continue;
                }

                if (new FileInfo(file).Length is > 0 and <= 256 * 1024)
                {
                    File.Copy(file, Path.Combine(dir, $"{n++:D4}-{Path.GetFileName(file)}"), overwrite: true);
                }
            }
        }

        foreach (var seed in target.BuiltInSeeds)
        {
            File.WriteAllText(Path.Combine(dir, $"{n++:D4}-builtin"), seed);
        }

        Console.WriteLine($"{target.Name}: {n} seeds in {dir}");
        return n > 0 ? 0 : 1;
    }

    private static int Replay(FuzzTarget target, IEnumerable<string> paths)
    {
        var files = paths.SelectMany(p => Directory.Exists(p)
            ? Directory.EnumerateFiles(p).Where(f => !Path.GetFileName(f).StartsWith("README", StringComparison.Ordinal))
            : [p]).Order(StringComparer.Ordinal).ToList();
        var crashes = 0;
        foreach (var file in files)
        {
            using var stream = File.OpenRead(file);
            try
            {
                RunOne(target, Read(stream));
            }
            catch (Exception e)
            {
                crashes++;
                Console.WriteLine($"CRASH {file}: {e.GetType().FullName}: {e.Message}");
                Console.WriteLine(e.StackTrace);
            }
        }

        Console.WriteLine($"{target.Name}: {files.Count} inputs replayed, {crashes} crashes");
        return crashes == 0 ? 0 : 1;
    }
}
