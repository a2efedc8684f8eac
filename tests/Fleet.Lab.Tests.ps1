# Issue 15 on a real fleet (Recipe 4, tests/lab/fleet): systemd-nspawn Docker hosts of the trixie, docker28 and bookworm
# generations (tests/lab/nspawn builds the trees; bookworm's has no sshd, so up.sh installs Debian's openssh-server of
# that generation into the booted machine from cached .debs), each with sshd and PowerShell's SSH subsystem, reached from
# the admin namespace fl-admin. One host clean per generation, one broken in each known way, one without the module, one
# with another module version, one address where nothing answers. The fleet boots once for the file and is torn down by
# PID in AfterAll, even when a test fails.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'lab/LabPwsh.psm1') -Force
    $script:fleetDir = Join-Path ([IO.Path]::GetTempPath()) 'dkfleet'
    $script:up = Join-Path $PSScriptRoot 'lab/fleet/up.sh'
    $script:down = Join-Path $PSScriptRoot 'lab/fleet/down.sh'
    $script:moduleDir = Split-Path $env:DHT_MODULE_PATH
    $script:version = (Import-PowerShellDataFile $env:DHT_MODULE_PATH).ModuleVersion
    $pwshDir = Split-Path ([Environment]::GetCommandLineArgs()[0])
    # Another version of the module, as a host that was not upgraded has it: the same files, another ModuleVersion.
    $old = Join-Path $fleetDir 'modold/0.0.9'
    Remove-Item (Split-Path $old) -Recurse -Force -ErrorAction Ignore
    New-Item -ItemType Directory -Path $old -Force | Out-Null
    Copy-Item (Join-Path $moduleDir '*') $old -Recurse
    $psd1 = Join-Path $old 'DockerHostTools.psd1'
    (Get-Content -Raw $psd1) -replace "ModuleVersion\s*=\s*'[^']+'", "ModuleVersion        = '0.0.9'" | Set-Content $psd1
    foreach ($gen in 'trixie', 'docker28', 'bookworm') {
        if (-not (Test-Path "/tmp/dknspawn/$gen/usr/sbin/$(if ($gen -eq 'bookworm') { 'dockerd' } else { 'sshd' })")) {
            & env "GEN=$gen" bash (Join-Path $PSScriptRoot 'lab/nspawn/20-nspawn-build-rootfs.sh') | Out-Null
        }
    }
    $script:hosts = [ordered]@{
        '198.51.100.11' = 'clean'; '198.51.100.12' = 'clean'; '198.51.100.13' = 'IpForwardDisabled'
        '198.51.100.14' = 'DockerDnatMissing'; '198.51.100.15' = 'ModuleNotInstalled'; '198.51.100.16' = 'ModuleVersionDiffers'
        '198.51.100.17' = 'HostUnreachable'; '198.51.100.18' = 'FirewalldPortClosed'; '198.51.100.19' = 'clean'
    }
    $specs = @("1:trixie:$moduleDir", "2:docker28:$moduleDir", "3:trixie:$moduleDir", "4:docker28:$moduleDir", '5:trixie', "6:docker28:$old", "8:trixie:$moduleDir", "9:bookworm:$moduleDir")
    & env "PWSH_DIR=$pwshDir" "FLEET=$fleetDir" bash $up @specs 2>&1 | Write-Host
    if ($LASTEXITCODE -ne 0) { throw "fleet up.sh failed ($LASTEXITCODE)" }

    function Invoke-Machine([int] $N) {
        $leader = Get-Content (Join-Path $fleetDir "m$N/leader.pid")
        & nsenter -t $leader -a @args 2>&1
    }
    # The three breaks, each as the incident makes it.
    Invoke-Machine 3 sysctl -q -w net.ipv4.ip_forward=0 | Out-Null
    $dnat = @(Invoke-Machine 4 iptables-save -t nat) | Where-Object { $_ -match '^-A DOCKER .*--dport 8080 .*DNAT' } | Select-Object -First 1
    if ($dnat) { Invoke-Machine 4 sh -c "iptables -t nat $($dnat -replace '^-A', '-D')" | Out-Null }
    Invoke-Machine 8 firewall-cmd -q --zone=public --remove-port=8080/tcp | Out-Null
    Invoke-Machine 8 firewall-cmd -q --permanent --zone=public --remove-port=8080/tcp | Out-Null

    $script:key = Join-Path $fleetDir 'key'
    function Invoke-Admin([scriptblock] $ScriptBlock, [object[]] $ArgumentList = @()) {
        Invoke-LabPwshRun -Enter @('ip', 'netns', 'exec', 'fl-admin') -WorkRoot $fleetDir -ScriptBlock $ScriptBlock -ArgumentList $ArgumentList
    }
}

AfterAll {
    & env "FLEET=$fleetDir" bash $down 2>&1 | Write-Host
}

Describe 'A fleet of Docker hosts over SSH (issue 15)' -Tag 'Lab' {
    BeforeAll {
        # One controlling pwsh for diagnosis, repair and the second diagnosis: the sessions -HostName opened stay warm.
        # -ConnectingTimeout stays at its default (15 s): with 5 s, two reachable hosts came back HostUnreachable in one run
        # (7 sessions, each starting a remote pwsh, at once on a loaded 2-core machine).
        $script:run = Invoke-Admin {
            param($hosts, $key)
            $o = @{ StrictHostKeyChecking = 'no'; UserKnownHostsFile = '/dev/null'; LogLevel = 'ERROR' }
            $first = @(Test-DockerHost -HostName $hosts -UserName root -KeyFilePath $key -Options $o -ThrottleLimit 8)
            $whatIf = @($first | Repair-DockerHost -WhatIf)
            $repair = @($first | Repair-DockerHost -Confirm:$false)
            Start-Sleep -Seconds 2
            $second = @(Test-DockerHost -HostName $hosts -UserName root -KeyFilePath $key -Options $o)
            $snap = @(Get-DockerHostNetState -HostName $hosts[0] -UserName root -KeyFilePath $key -Options $o)
            $local = @($snap | Test-DockerHost)
            $view = ($first | Format-Table | Out-String -Width 80) -split "`n"
            # Flat rows for the JSON the runner hands back (deserialized objects nest keys that differ only in case).
            function Flat($results) {
                $results | ForEach-Object { [pscustomobject]@{ HostName = $_.HostName; Status = "$($_.Status)"; Reason = $_.Reason; Message = $_.Message; ModuleVersion = $_.ModuleVersion
                        EngineVersion = $_.EngineVersion; FirewalldVersion = $_.FirewalldVersion; Errors = $_.Errors; Warnings = $_.Warnings
                        Findings = @($_.Findings | ForEach-Object { [pscustomobject]@{ Id = $_.Id; HostName = $_.HostName } }) } }
            }
            $repaired = @($repair | ForEach-Object { [pscustomobject]@{ HostName = $_.HostName; Id = $_.Id; Verified = $_.Verified } })
            [pscustomobject]@{ First = @(Flat $first); WhatIf = $whatIf.Count; Repair = $repaired; Second = @(Flat $second)
                Snapshot = $snap.PSComputerName; LocalJudged = $local.Count; View = $view; Json = ($first[0] | ConvertTo-Json -Depth 4) }
        } -ArgumentList ([string[]] @($hosts.Keys)), $key
        $script:out = $run.Output[0]
    }

    It 'runs without an error of the whole run' {
        $run.Errors | Should -BeNullOrEmpty
        $out | Should -Not -BeNullOrEmpty
    }

    It 'gives one result per host, in the order given, each naming its cause' {
        @($out.First.HostName) | Should -Be @($hosts.Keys)
        foreach ($r in $out.First) {
            $want = $hosts[$r.HostName]
            $why = "$($r.HostName) said: $($r.Message)"
            switch ($want) {
                'clean' { $r.Status | Should -Be 'Diagnosed' -Because $why; $r.Errors | Should -Be 0 -Because "$($r.HostName) is not broken" }
                'ModuleNotInstalled' { $r.Status | Should -Be 'ModuleNotInstalled' -Because $why; $r.Reason | Should -Be 'ModuleNotInstalled' }
                'ModuleVersionDiffers' { $r.Reason | Should -Be 'ModuleVersionDiffers' -Because $why; $r.ModuleVersion | Should -Be '0.0.9' }
                'HostUnreachable' { $r.Status | Should -Be 'Unreachable'; $r.Reason | Should -Be 'HostUnreachable' }
                default {
                    $r.Status | Should -Be 'Diagnosed' -Because $why
                    @($r.Findings.Id) | Should -Contain $want -Because "$($r.HostName) was broken that way"
                }
            }
        }
    }

    It 'reports the versions of each generation and tags every finding with its host' {
        $d = @($out.First | Where-Object Status -eq 'Diagnosed')
        ($d | Where-Object HostName -eq '198.51.100.11').FirewalldVersion | Should -Be '2.3.1'
        ($d | Where-Object HostName -eq '198.51.100.14').FirewalldVersion | Should -Be '2.5.2'
        ($d | Where-Object HostName -eq '198.51.100.14').EngineVersion | Should -BeLike '28.5.2*'
        ($d | Where-Object HostName -eq '198.51.100.19').FirewalldVersion | Should -Be '1.3.3'
        ($d | Where-Object HostName -eq '198.51.100.19').EngineVersion | Should -BeLike '20.10.24*'
        foreach ($r in $d) { foreach ($f in $r.Findings) { $f.HostName | Should -Be $r.HostName } }
        $out.Json | Should -Match '"HostName": "198.51.100.11"'
    }

    It 'shows the fleet in 80 columns' {
        @($out.View | Where-Object { $_.TrimEnd().Length -gt 80 }) | Should -BeNullOrEmpty
        ($out.View -join "`n") | Should -Match 'HostUnreachable'
    }

    It 'repairs the broken hosts, each on its own host, and the second diagnosis is clean' {
        $out.WhatIf | Should -Be 0 -Because '-WhatIf changes nothing and returns nothing'
        @($out.Repair | Where-Object { -not $_.Verified }) | Should -BeNullOrEmpty
        foreach ($r in $out.Repair) { $hosts[$r.HostName] | Should -BeIn @('clean', 'IpForwardDisabled', 'DockerDnatMissing', 'FirewalldPortClosed') }
        @($out.Repair.HostName | Select-Object -Unique) | Should -Contain '198.51.100.13'
        foreach ($r in $out.Second | Where-Object Status -eq 'Diagnosed') {
            $r.Errors + $r.Warnings | Should -Be 0 -Because "$($r.HostName) was repaired ($(@($r.Findings.Id) -join ', '))"
        }
        @($out.Second | Where-Object Status -eq 'Diagnosed').Count | Should -Be 6
    }

    It 'Get-DockerHostNetState -HostName returns a snapshot tagged with its host that Test-DockerHost judges here' {
        $out.Snapshot | Should -Be '198.51.100.11'
        $out.LocalJudged | Should -Be 0 -Because 'the clean host has no Error or Warning once judged here'
    }
}

Describe 'Watch-DockerHostNetState -HostName and -Session on a fleet (issue 15)' -Tag 'Lab' {
    It 'reports a change made on one host, tagged with that host' {
        $r = Invoke-Admin {
            param($key)
            $o = @{ StrictHostKeyChecking = 'no'; UserKnownHostsFile = '/dev/null'; LogLevel = 'ERROR' }
            $fleet = '198.51.100.11', '198.51.100.12'
            $null = Test-DockerHost -HostName $fleet -UserName root -KeyFilePath $key -Options $o   # sessions warm, module imported
            # The change, made on the first host while the watch runs (10 s after it starts: its first read is long done).
            $ssh = Start-Process -PassThru -FilePath ssh -ArgumentList @('-i', $key, '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null',
                '-o', 'BatchMode=yes', '-o', 'LogLevel=ERROR', 'root@198.51.100.11', 'sleep 10; sysctl -q -w net.ipv4.ip_forward=0')
            $changes = @(Watch-DockerHostNetState -HostName $fleet -UserName root -KeyFilePath $key -Options $o -Duration 25)
            $ssh.WaitForExit(30000) | Out-Null
            $changes | Select-Object HostName, PSComputerName, What, Before, After
        } -ArgumentList $key
        $r.Errors | Should -BeNullOrEmpty
        $forward = @($r.Output | Where-Object What -eq 'net.ipv4.ip_forward')
        $forward.Count | Should -Be 1 -Because "the one change made was on 198.51.100.11 (all: $(@($r.Output | ForEach-Object { "$($_.HostName) $($_.What)" }) -join '; '))"
        $forward[0].HostName | Should -Be '198.51.100.11'
        $forward[0].PSComputerName | Should -Be '198.51.100.11'
        "$($forward[0].After)" | Should -Be '0'
    }

    It 'with -Session (sessions of the caller''s own): reports a change made on one host, tagged with that host' {
        $r = Invoke-Admin {
            param($key)
            $o = @{ StrictHostKeyChecking = 'no'; UserKnownHostsFile = '/dev/null'; LogLevel = 'ERROR' }
            $s = New-PSSession -HostName '198.51.100.11', '198.51.100.12' -UserName root -KeyFilePath $key -Options $o
            $sshArgs = @('-i', $key, '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'BatchMode=yes', '-o', 'LogLevel=ERROR', 'root@198.51.100.12')
            try {
                # This time the second host's forwarding, 10 s after the watch starts; set back after the watch.
                $ssh = Start-Process -PassThru -FilePath ssh -ArgumentList ($sshArgs + 'sleep 10; sysctl -q -w net.ipv4.ip_forward=0')
                $changes = @(Watch-DockerHostNetState -Session $s -Duration 25)
                $ssh.WaitForExit(30000) | Out-Null
                $changes | Select-Object HostName, PSComputerName, What, Before, After
                [pscustomobject]@{ What = 'sessions after'; After = (@($s | Where-Object State -EQ 'Opened').Count) }
            }
            finally {
                & ssh @sshArgs 'sysctl -q -w net.ipv4.ip_forward=1'
                $s | Remove-PSSession
            }
        } -ArgumentList $key
        $r.Errors | Should -BeNullOrEmpty
        $forward = @($r.Output | Where-Object What -eq 'net.ipv4.ip_forward')
        $forward.Count | Should -Be 1 -Because "the one change made was on 198.51.100.12 (all: $(@($r.Output | ForEach-Object { "$($_.HostName) $($_.What)" }) -join '; '))"
        $forward[0].HostName | Should -Be '198.51.100.12'
        $forward[0].PSComputerName | Should -Be '198.51.100.12'
        "$($forward[0].After)" | Should -Be '0'
        @($r.Output | Where-Object What -eq 'sessions after')[0].After | Should -Be 2 -Because 'the watch leaves the caller''s sessions open'
    }
}

Describe 'Install-DockerHostTools on a fleet (issue 15)' -Tag 'Lab' {
    # After the diagnosis above (where 198.51.100.15 has no module and .16 has 0.0.9): the package on a host with the
    # version (left alone), one without the module (installed), one with 0.0.9 (upgraded) and the unreachable address.
    BeforeAll {
        $script:nupkg = Join-Path ($env:DHT_PACKAGE_DIR ?? (Join-Path (Split-Path $PSScriptRoot) 'output/package')) "DockerHostTools.$version.nupkg"
        if (-not (Test-Path $nupkg)) { throw "No ${nupkg}: build.ps1 Package makes it (build.ps1 Test does)." }
        # The first install takes the package saved under another name: PSResourceGet's local repository finds a package
        # by its file name, so on the host it must be named DockerHostTools.VERSION.nupkg whatever it is called here.
        $script:renamed = Join-Path $fleetDir 'dht-renamed.nupkg'
        Copy-Item -LiteralPath $nupkg -Destination $renamed -Force
        # A package older than what the hosts have: the same nupkg with its .nuspec saying 0.0.1.
        Add-Type -AssemblyName System.IO.Compression
        $script:older = Join-Path $fleetDir 'DockerHostTools.0.0.1.nupkg'
        Copy-Item -LiteralPath $nupkg -Destination $older -Force
        $zip = [IO.Compression.ZipFile]::Open($older, 'Update')
        try {
            $entry = $zip.Entries | Where-Object FullName -Like '*.nuspec' | Select-Object -First 1
            $r = [IO.StreamReader]::new($entry.Open()); $xml = $r.ReadToEnd(); $r.Dispose()
            $entry.Delete()
            $w = [IO.StreamWriter]::new($zip.CreateEntry($entry.FullName).Open())
            $w.Write(($xml -replace '<version>[^<]+</version>', '<version>0.0.1</version>')); $w.Dispose()
        }
        finally { $zip.Dispose() }
        $script:inst = Invoke-Admin {
            param($hosts, $key, $nupkg, $renamed, $older)
            # 45 s to connect: once, on a 2-core machine at load 21 (other labs), the docker28 host's session took more than the
            # default 15 s three times in a row (the remote pwsh starts inside the connecting time).
            $ssh = @{ UserName = 'root'; KeyFilePath = $key; Options = @{ StrictHostKeyChecking = 'no'; UserKnownHostsFile = '/dev/null'; LogLevel = 'ERROR' }; ConnectingTimeout = 45000 }
            $whatIf = @(Install-DockerHostTools -HostName $hosts[1] @ssh -Path $nupkg -WhatIf)
            $first = @(Install-DockerHostTools -HostName $hosts @ssh -Path $renamed -Confirm:$false)
            $second = @(Install-DockerHostTools -HostName $hosts @ssh -Path $nupkg -Confirm:$false)
            $downgrade = @(Install-DockerHostTools -HostName $hosts[0] @ssh -Path $older -Confirm:$false)
            $diag = @(Test-DockerHost -HostName $hosts[1], $hosts[2] @ssh)
            function Flat($r) { $r | ForEach-Object { [pscustomobject]@{ HostName = $_.HostName; Status = "$($_.Status)"; Reason = $_.Reason; Version = $_.Version
                        PreviousVersion = $_.PreviousVersion; ModuleBase = $_.ModuleBase; Message = $_.Message } } }
            [pscustomobject]@{ WhatIf = $whatIf.Count; First = @(Flat $first); Second = @(Flat $second); Downgrade = @(Flat $downgrade)
                Diag = @($diag | ForEach-Object { [pscustomobject]@{ HostName = $_.HostName; Status = "$($_.Status)"; ModuleVersion = $_.ModuleVersion; Message = $_.Message } })
                View = ($first | Format-Table | Out-String -Width 80) -split "`n" }
        } -ArgumentList ([string[]] @('198.51.100.11', '198.51.100.15', '198.51.100.16', '198.51.100.17')), $key, $nupkg, $renamed, $older
        $script:io = $inst.Output[0]
    }

    It 'runs without an error of the whole run; -WhatIf installs nothing and returns nothing' {
        $inst.Errors | Should -BeNullOrEmpty
        $io.WhatIf | Should -Be 0
    }

    It 'installs where the module is missing, upgrades 0.0.9, leaves the current host alone, and says unreachable' {
        $why = ($io.First | ForEach-Object { "$($_.HostName) $($_.Status) $($_.Reason): $($_.Message)" }) -join '; '
        @($io.First.HostName) | Should -Be @('198.51.100.11', '198.51.100.15', '198.51.100.16', '198.51.100.17')
        @($io.First.Status) | Should -Be @('AlreadyCurrent', 'Installed', 'Upgraded', 'Failed') -Because $why
        @($io.First.Reason) | Should -Be @('AlreadyCurrent', 'Installed', 'Upgraded', 'HostUnreachable')
        $io.First[2].PreviousVersion | Should -Be '0.0.9'
        $io.First[1].ModuleBase | Should -BeLike "*/DockerHostTools/$version"
        Invoke-Machine 5 test -f "$($io.First[1].ModuleBase)/DockerHostTools.psd1" | Out-Null
        $LASTEXITCODE | Should -Be 0 -Because 'the version is on the host where Install-PSResource put it'
        Invoke-Machine 6 test -f "$($io.First[2].ModuleBase)/DockerHostTools.dll" | Out-Null
        $LASTEXITCODE | Should -Be 0
        @($io.View | Where-Object { $_.TrimEnd().Length -gt 80 }) | Should -BeNullOrEmpty
    }

    It 'leaves no package folder and no repository of its own on the hosts' {
        foreach ($n in 5, 6) {
            @(Invoke-Machine $n sh -c 'ls -d /tmp/dht-install-* 2>/dev/null; grep -l DockerHostToolsInstall /root/.local/share/PSResourceGet/*.xml 2>/dev/null; true') |
                Where-Object { "$_".Trim() } | Should -BeNullOrEmpty -Because "machine $n keeps nothing of the install but the module"
        }
    }

    It 'the second install changes nothing' {
        @($io.Second.Status) | Should -Be @('AlreadyCurrent', 'AlreadyCurrent', 'AlreadyCurrent', 'Failed')
        $io.Second[1].PreviousVersion | Should -Be $version
    }

    It 'a package older than the host''s version: Failed, NewerVersionInstalled, nothing copied or changed' {
        $io.Downgrade.Count | Should -Be 1
        $io.Downgrade[0].Status | Should -Be 'Failed' -Because $io.Downgrade[0].Message
        $io.Downgrade[0].Reason | Should -Be 'NewerVersionInstalled'
        $io.Downgrade[0].Message | Should -Match "has DockerHostTools $([regex]::Escape($version)), newer than the package's 0\.0\.1: nothing copied or changed"
        @(Invoke-Machine 1 sh -c 'ls -d /tmp/dht-install-* 2>/dev/null') | Should -BeNullOrEmpty
    }

    It 'the hosts installed and upgraded are diagnosed now' {
        foreach ($d in $io.Diag) {
            $d.Status | Should -Be 'Diagnosed' -Because "$($d.HostName): $($d.Message)"
            $d.ModuleVersion | Should -Be $version
        }
    }
}

Describe 'The README''s fleet example, as written, against the fleet (issue 15)' -Tag 'Lab' {
    # The block after README.md's fleet-example marker runs unchanged in the admin namespace (dkfleetN resolve there,
    # from up.sh's /etc/netns/fl-admin/hosts), from the repository's root; dkfleet3 is broken again first.
    BeforeAll {
        $root = Split-Path $PSScriptRoot
        $readme = Get-Content -Raw (Join-Path $root 'README.md')
        $m = [regex]::Match($readme, '<!-- fleet-example:[^>]*-->\s*```powershell\r?\n(?<code>.*?)```', 'Singleline')
        if (-not $m.Success) { throw 'README.md has no fleet-example block' }
        $script:code = $m.Groups['code'].Value
        if (-not $code.Contains("'$key'")) { throw "The README's example names another key than the lab's ($key): it would not run as written." }
        if (-not (Test-Path (Join-Path $root "output/package/DockerHostTools.$version.nupkg"))) { throw "No output/package/DockerHostTools.$version.nupkg for the README's example (build.ps1 Package)." }
        # dkfleet1 as clean as it was booted (the watch test above turned its forwarding off), dkfleet3 broken.
        Invoke-Machine 1 sysctl -q -w net.ipv4.ip_forward=1 | Out-Null
        Invoke-Machine 3 sysctl -q -w net.ipv4.ip_forward=0 | Out-Null
        $script:ex = Invoke-Admin {
            param($code, $root, $key)
            # Seen in 3 runs of 4: the first SSH session to dkfleet3 after its forwarding was turned off timed out (15 s and
            # then 60 s), the next ones opened (cause not found). The lab waits until the host takes a session again, up to
            # 120 s, by its address (not the example's names or the module's pool), and says how long it took.
            $w = [Diagnostics.Stopwatch]::StartNew(); $up = $false
            while (-not $up -and $w.Elapsed.TotalSeconds -lt 120) {
                $t = New-PSSession -HostName 198.51.100.13 -UserName root -KeyFilePath $key -ConnectingTimeout 20000 -ErrorAction SilentlyContinue `
                    -Options @{ StrictHostKeyChecking = 'no'; UserKnownHostsFile = '/dev/null'; LogLevel = 'ERROR'; BatchMode = 'yes' }
                if ($t) { $up = $true; Remove-PSSession $t } else { Start-Sleep -Seconds 2 }
            }
            $waited = [math]::Round($w.Elapsed.TotalSeconds, 1)
            Set-Location $root
            $text = . ([scriptblock]::Create($code)) *>&1 | Out-String -Width 200
            $after = @(Test-DockerHost -Session $s | ForEach-Object { [pscustomobject]@{ HostName = $_.HostName; Status = "$($_.Status)"; Errors = $_.Errors; Warnings = $_.Warnings; Ids = @($_.Findings.Id) -join ',' } })
            $sessions = @($s | ForEach-Object { "$($_.ComputerName) $($_.State)" })
            Remove-PSSession $s
            [pscustomobject]@{ Text = $text; After = $after; Sessions = $sessions; Waited = $waited }
        } -ArgumentList $code, $root, $key
        Write-Host "dkfleet3 took a PowerShell session again after $($ex.Output[0].Waited) s"
        $script:eo = $ex.Output[0]
    }

    It 'runs without an error' {
        $ex.Errors | Should -BeNullOrEmpty
        $eo.Text | Should -Not -BeNullOrEmpty
    }

    It 'installs nothing on hosts that have the version, names the broken host''s cause and repairs it through -Session' {
        $lines = $eo.Text -split "`n"
        @($lines | Where-Object { $_ -match '^dkfleet[13]\s+AlreadyCurrent' }).Count | Should -Be 2 -Because $eo.Text
        $lines | Where-Object { $_ -match '^dkfleet3\s' -and $_ -match 'IpForwardDisabled' } | Should -Not -BeNullOrEmpty -Because $eo.Text
        $lines | Where-Object { $_ -match '^dkfleet1\s' -and $_ -match 'clean' } | Should -Not -BeNullOrEmpty -Because $eo.Text
        $lines | Where-Object { $_ -match '^dkfleet3\s+IpForwardDisabled\s+True' } | Should -Not -BeNullOrEmpty -Because "the repair through the session is Verified: $($eo.Text)"
        @($eo.Sessions | Sort-Object) | Should -Be @('dkfleet1 Opened', 'dkfleet3 Opened')
    }

    It 'leaves both hosts clean' {
        foreach ($a in $eo.After) {
            $a.Status | Should -Be 'Diagnosed'
            $a.Errors + $a.Warnings | Should -Be 0 -Because "$($a.HostName): $($a.Ids)"
        }
        "$(Invoke-Machine 3 cat /proc/sys/net/ipv4/ip_forward)".Trim() | Should -Be '1'
    }
}
