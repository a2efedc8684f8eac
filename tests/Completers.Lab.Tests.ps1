# Completers, -Verbose and Watch's -Socket on the real programs (root): container names from a real dockerd (Recipe 2,
# dockerd in netns dkhost), unit names from a real systemd (Recipe 1, the nspawn Docker host; DHT_LAB_GENERATIONS
# narrows the generations, every one when unset). The silent cases (no daemon) are in Completers.Tests.ps1; zone names
# from a real firewalld are in Firewalld.Lab.Tests.ps1.
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'lab/DockerLab.psm1') -Force
    $generations = @(Get-NspawnLabGeneration)
}
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'lab/DockerLab.psm1') -Force
    $script:complete = {
        param([string] $Line)
        @((TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches.CompletionText)
    }
}

Describe 'Completers, -Verbose and Watch -Socket on dockerd in a namespace (Recipe 2)' -Tag 'Lab', 'Docker', 'Completers' {
    BeforeAll { $script:lab = Start-DockerdLab }
    AfterAll { Stop-DockerdLab }

    It 'completes container names from the real dockerd, as docker ps -a lists them, and filters by prefix' {
        $names = @(Invoke-DockerLabDocker $lab ps -a --format '{{.Names}}' | Where-Object { $_ } | Sort-Object)
        $names | Should -Contain 'dkreg'
        $r = Invoke-DockerLabPwsh $lab {
            param($s, $c)
            $complete = [scriptblock]::Create($c)
            @{ All = & $complete "Get-DockerPublishedPort -Socket $s "; Prefix = & $complete "Get-DockerPublishedPort -Socket $s dkr"; None = & $complete "Get-DockerPublishedPort -Socket $s zz" }
        } -ArgumentList $lab.Socket, $complete.ToString()
        $r.Errors | Should -BeNullOrEmpty
        @($r.Output.All | Sort-Object) | Should -Be $names
        @($r.Output.Prefix) | Should -Be @('dkreg')
        $r.Output.None | Should -BeNullOrEmpty
    }

    It 'Get-DockerChain -Verbose names iptables-save and the Engine API requests, each with a duration in ms' {
        $r = Invoke-DockerLabPwsh $lab {
            param($s)
            @(Get-DockerChain -Socket $s -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
        } -ArgumentList $lab.Socket
        $r.Errors | Should -BeNullOrEmpty
        $r.Output -match '^Read program \S*iptables(-nft|-legacy)?-save\b.*: \d+\.\d ms \(exit 0\)$' | Should -Not -BeNullOrEmpty
        $r.Output -match "^Read Engine API GET /version on $([regex]::Escape($lab.Socket)): \d+\.\d ms \(200\)$" | Should -Not -BeNullOrEmpty
    }

    It 'Get-DockerPublishedPort -Verbose names the containers request and the /proc/net files it read' {
        $r = Invoke-DockerLabPwsh $lab {
            param($s)
            @(Get-DockerPublishedPort -Socket $s -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
        } -ArgumentList $lab.Socket
        $r.Output -match '^Read Engine API GET /v[\d.]+/containers/json\S* on .*: \d+\.\d ms \(200\)$' | Should -Not -BeNullOrEmpty
        $r.Output -match '^Read file /proc/net/tcp6?: \d+\.\d ms' | Should -Not -BeNullOrEmpty
    }

    It 'Watch-DockerHostNetState -Socket: dockerd killed, the engine''s change is an Error; then Tab on containers is silent' {
        $dockerd = [int](Get-Content (Join-Path $lab.Dir 'dockerd.pid'))
        $r = Invoke-DockerLabPwsh $lab {
            param($s, $dockerdPid, $c)
            $module = (Get-Module DockerHostTools).Path
            $job = Start-ThreadJob {
                Import-Module $using:module
                Watch-DockerHostNetState -Socket $using:s -Interval 0.25 -SlowEvery 1 -Duration 14
            }
            Start-Sleep -Seconds 5   # the baseline read (a few reads of 0.1 s here) is long done
            & kill -KILL $dockerdPid
            $changes = @($job | Wait-Job -Timeout 40 | Receive-Job)
            $complete = [scriptblock]::Create($c)
            $sw = [Diagnostics.Stopwatch]::StartNew()
            $before = $Error.Count
            $tab = & $complete "Get-DockerPublishedPort -Socket $s "
            @{ Changes = @($changes | Where-Object What -like 'Docker Engine API*'); Tab = $tab; TabErrors = $Error.Count - $before; TabSeconds = $sw.Elapsed.TotalSeconds }
        } -ArgumentList $lab.Socket, $dockerd, $complete.ToString()
        $r.Errors | Should -BeNullOrEmpty
        $c = @($r.Output.Changes)
        $c.Count | Should -Be 1
        $c[0].What | Should -Be "Docker Engine API $($lab.Socket)"
        $c[0].Before | Should -Be 'active (the API answers)'
        $c[0].After | Should -Be 'inactive (nothing accepts connections)'
        $c[0].Severity | Should -Be 'Error'
        $r.Output.Tab | Should -BeNullOrEmpty
        $r.Output.TabErrors | Should -Be 0
    }
}

Describe 'Completers on the real systemd of the lab Docker host (<Generation>)' -Tag 'Lab', 'Completers' -ForEach $generations {
    BeforeAll { $script:lab = Start-NspawnLab $Generation }
    AfterAll { Stop-NspawnLab $lab }

    It 'completes service units from the running systemd (docker, containerd, firewalld) and container names from its dockerd' {
        $r = Invoke-DockerLabPwsh $lab {
            param($c)
            $complete = [scriptblock]::Create($c)
            @{ Units = & $complete 'Get-DockerHostService '; Prefix = & $complete 'Get-DockerHostService fire'; Containers = & $complete 'Get-DockerPublishedPort ' }
        } -ArgumentList $complete.ToString()
        $r.Errors | Should -BeNullOrEmpty
        # Names with '@' (getty@tty1.service) come quoted, as PowerShell needs them.
        $units = @($r.Output.Units | ForEach-Object { $_.Trim("'") })
        $units | Should -Contain 'docker.service'
        $units | Should -Contain 'containerd.service'
        $units | Should -Contain 'firewalld.service'
        $units | ForEach-Object { $_ | Should -BeLike '*.service' }
        @($r.Output.Units | Where-Object { $_ -like '*@*' }) | ForEach-Object { $_ | Should -BeLike "'*'" }
        @($r.Output.Prefix) | Should -Be @('firewalld.service')
        $r.Output.Containers | Should -Contain 'dkreg'
        $r.Output.Containers | Should -Contain 'dkweb'
    }

    It 'Test-DockerHost -Verbose names the programs, D-Bus calls, API requests and files it read, with durations' {
        $r = Invoke-DockerLabPwsh $lab {
            @(Test-DockerHost -Port 5000 -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
        }
        $r.Output -match '^Read program \S*iptables(-nft|-legacy)?-save\b.*: \d+\.\d ms \(exit 0\)$' | Should -Not -BeNullOrEmpty
        $r.Output -match '^Read D-Bus org\.fedoraproject\.FirewallD1 .*: \d+\.\d ms$' | Should -Not -BeNullOrEmpty
        $r.Output -match '^Read Engine API GET /version on /run/docker\.sock: \d+\.\d ms \(200\)$' | Should -Not -BeNullOrEmpty
        $r.Output -match '^Read file /proc/sys/net/ipv4/ip_forward: \d+\.\d ms' | Should -Not -BeNullOrEmpty
        $r.Output -match '^Read file /etc/sysctl\.d/: \d+\.\d ms \(\d+ entries\)$' | Should -Not -BeNullOrEmpty
    }
}
