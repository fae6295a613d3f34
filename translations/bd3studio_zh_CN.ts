<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>CompareDialog</name>
    <message>
        <source>Compare Block Sizes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The same prompt, seed and sampler at several block sizes: block size 1 writes one token per forward pass (autoregressive); larger blocks reveal several tokens per pass; one block as long as the context is plain masked diffusion.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Block sizes separated by commas; ǌontext” is one block as long as the whole context.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Block sizes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Denoising steps per block (never more than the block has tokens).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Steps per block</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New tokens each run writes.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tokens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Stop</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 tokens · %2 NFEs · %3 s · %4 tokens/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>running…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Done. NFEs are the network&apos;s forward passes: fewer per token means faster, and usually less careful, text.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Prompt: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The comparison is already running.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Block sizes must be whole numbers from 1 to %1 or ǌontext”, separated by commas.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Block size 1 (autoregressive)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Block size %1 (whole context, MDLM)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Block size %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n step(s) per block</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>waiting</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Generating %n run(s) one after another…</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ControlsDock</name>
    <message>
        <source>Controls</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tokens per block: blocks are written left to right, and the tokens inside a block are revealed together over a few steps.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1 · AR</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Block size 1 is an autoregressive model: one token at a time, left to right.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Use blocks of %n tokens.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>MDLM</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>One block as long as the whole context: plain masked diffusion (MDLM).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Block size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Denoising steps per block: fewer steps reveal more tokens at once, faster but less careful.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Steps per block</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Log-linear</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cosine</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Square</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Square root</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clipped [β, ω]</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The schedule sets how many tokens are expected to stay masked after each step.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Schedule</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clipped schedule: the masked fraction the last steps go down to before the final reveal.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clipped schedule: the masked fraction right after the first step.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>β, ω</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>DDPM step</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>First hitting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Top-k confidence</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Threshold</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>How a step picks the tokens to reveal: at random at the schedule&apos;s pace (DDPM), one at a time (first hitting), the most confident ones (top-k), or all above a threshold.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sampler</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Probability</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Low entropy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Top-2 margin</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>How sure the model is about a position: the chosen token&apos;s probability, how peaked the distribution is, or the gap between the two best tokens.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Confidence</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Threshold sampler: every masked token at least this confident is revealed, and at least one per step.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Temperature: below 1 the model picks its favourite tokens more often, above 1 it takes more chances.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Temperature</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nucleus sampling: only the most probable tokens that together hold this much probability can be drawn.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Top-p</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fixed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>With a fixed seed the same settings write the same text again; otherwise every generation draws a new seed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The most new tokens one generation writes.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Token limit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop at end of text</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop when the model writes its end-of-sequence token, so the length is the model&apos;s choice.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Where the network runs; a new device takes effect when a model is loaded.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Device</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>One block as long as the whole context (%n tokens): plain masked diffusion (MDLM).</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>The parameters name an unknown schedule, sampler or confidence measure.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The parameters are not valid: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The parameters are not valid: the token limit must be at least 1.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>EngineController</name>
    <message>
        <source>A generation is already running.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No model is loaded yet.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>EngineWorker</name>
    <message>
        <source>There is not enough memory to load this model.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No model is loaded.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The generation ran out of memory.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>GifWriter</name>
    <message>
        <source>There is nothing to animate.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The frames are empty.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The frames differ in size.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 cannot be written: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Writing %1 failed: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Out of memory while writing %1.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>BD3 Studio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Step Timeline</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Plots</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PNG image (*.png);;SVG drawing (*.svg)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export Text</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Text (*.txt);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export Trace</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Trace (*.json)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export Unmasking View</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export Step Timeline</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export Block as GIF</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Animated GIF (*.gif)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export Plots</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PNG images (*.png);;PDF documents (*.pdf)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Generation failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Undo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Redo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Generate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Generation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open Model Folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 · %2 · %3M parameters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model loaded: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The model in %1 could not be loaded:

%2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>

The model loaded before (%1) is still in use.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model Not Loaded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>token limit reached</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>end of text</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>stopped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>text became repetitive</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Finished: %1 tokens, %2 NFEs, %3 s (%4)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open Trace</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Traces (*.json);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Trace Not Opened</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The trace %1 could not be opened:

%2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A generation is running; stop it first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The trace uses token %1, which the loaded model (%2) does not have; open the model it was made with (%3) first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Trace opened: %n block(s) to replay (F10 steps through them).</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Once upon a time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>untitled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export Failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 tokens/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n NFE(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>About BD3 Studio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;h3&gt;BD3 Studio %1&lt;/h3&gt;&lt;p&gt;Write with a block diffusion language model and watch each block&apos;s tokens being unmasked, step by step.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 — BD3 Studio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The session is damaged: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The session&apos;s model %1 is not found; the current model stays.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Session Not Saved</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Session saved: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save Session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>BD3 Studio sessions (*.bd3session)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open Session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>BD3 Studio sessions (*.bd3session);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Session Not Opened</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The session %1 could not be opened:

%2

The open document is unchanged.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Autosave failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The autosaved session could not be read (%1); it was kept as %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Restore Session</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>BD3 Studio did not close properly last time. Restore the session it saved (%n generation(s))?</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;Restore</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Discard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Session Not Restored</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The language changes at the next start of BD3 Studio.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unsaved Changes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The document has changes that are not saved in a session.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PlotsPanel</name>
    <message>
        <source>step</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>masked fraction</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>observed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>schedule</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mean probability</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mean entropy (nats)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>confidence</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>entropy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Throughput per block</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>block</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>tokens per second</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>NFEs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>tokens / s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Masked fraction · block %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Confidence and entropy · block %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Masked fraction</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Confidence and entropy</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ReplayDock</name>
    <message>
        <source>Step Through</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Block</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The block to replay; any finished block can be chosen.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1×</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Replay speed: at 1×, a step every 0.7 seconds.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Speed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scrub through the block&apos;s steps: 0 is the block as it started.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>step %1 of %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>of %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;p&gt;Generate some text, or open a trace; then step through any block here, one denoising step at a time (F10), and read what each step decided.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>StepExplainer</name>
    <message>
        <source>probability</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>low entropy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>top-2 margin</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No block to explain yet: generate, or open a trace.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;h3&gt;Block %1 as it starts&lt;/h3&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>&lt;p&gt;%n position(s) start as [MASK]: the model has to fill them in.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source> The first %n token(s) are already known from the prompt.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>&lt;p&gt;The block runs with block size %1, %2 step(s) planned, the %3 schedule and the %4 sampler. Every step the model looks at the whole block and the text before it, and the sampler decides which masked positions to reveal.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;p&gt;Press Step Forward (F10) to see the first step.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;h3&gt;Block %1, step %2 of %3&lt;/h3&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;p&gt;Before this step %1 of %2 position(s) were masked; after it, %3.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;DDPM sampler.&lt;/b&gt; This is the last step: the %1 schedule leaves nothing masked, so every remaining position is revealed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;DDPM sampler.&lt;/b&gt; The %1 schedule asks for %2 position(s) to stay masked on average after this step, so each of the %3 masked positions was revealed independently with chance (%3 − %2) / %3 = %4. The dice came up %5 time(s): which positions is chance, not confidence.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Top-k confidence.&lt;/b&gt; The %1 schedule asks for %2 position(s) to stay masked, so the sampler drew a token for every masked position and revealed the k = %3 it was most sure of (by %4). The others stay masked and are predicted again next step, with more context.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Threshold %1.&lt;/b&gt; No masked position reached the threshold (by %2), so the sampler revealed only the single most confident one; a step always reveals at least one token.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Threshold %1.&lt;/b&gt; Every masked position whose confidence (by %2) reached the threshold was revealed, however many that is: here %3. The schedule does not decide; the model&apos;s certainty does, so easy stretches go fast.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;First hitting.&lt;/b&gt; Exactly one masked position, chosen at random, is revealed per step, so a block takes as many steps as it has masks.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;p&gt;No forward pass ran for this step: the step before revealed nothing, so the model&apos;s output from then was used again (no NFE).&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;p&gt;One forward pass of the network (one NFE), %1 ms.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;p&gt;Nothing was revealed at this step.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>&lt;p&gt;Revealed %n token(s):&lt;/p&gt;</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>&lt;tr&gt;&lt;th align=&quot;left&quot;&gt;position&lt;/th&gt;&lt;th align=&quot;left&quot;&gt;token&lt;/th&gt;&lt;th align=&quot;right&quot;&gt;probability&lt;/th&gt;&lt;th align=&quot;right&quot;&gt;entropy&lt;/th&gt;&lt;th align=&quot;left&quot;&gt;alternatives&lt;/th&gt;&lt;/tr&gt;</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>StepTimelineView</name>
    <message>
        <source>step ↓</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Each block&apos;s steps show here: a column per position, a row per step.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Block %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>following the newest block</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>chosen block</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>block size %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 positions here</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1 step</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 steps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>sampler %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> (threshold %1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>schedule %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> (β %1, ω %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>restarted once</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>restarted %1 times</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>position →</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 at position %2&lt;br&gt;known before the block started</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Position %1&lt;br&gt;step %2 has not run yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Position %1&lt;br&gt;still masked after step %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 at position %2&lt;br&gt;revealed at step %3 of %4&lt;br&gt;probability %5 · entropy %6 nats</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;br&gt;top alternatives: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;br&gt;(revealed before this step)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>StudioActions</name>
    <message>
        <source>&amp;Open Model…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Load a model folder (config.json, model.safetensors and tokenizer files).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open &amp;Session…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open a saved session: the document, its generations, the parameters and the model.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Save Session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save the document, its generations, the parameters and the model reference.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save Session &amp;As…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save the session under a new name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open &amp;Trace…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open a generation trace (JSON) to replay its blocks step by step.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Text…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save the document as plain UTF-8 text.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>T&amp;race…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save the last generation&apos;s every step as a JSON trace (docs/trace-format.md).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Unmasking View…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save the unmasking view as it is shown, as PNG or SVG.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Step T&amp;imeline…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save the step timeline as PNG or SVG.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Block as Animated &amp;GIF…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save the unmasking of the block being replayed as an animated GIF, one frame per step.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Plots…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save the three plots as PNG or PDF files.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close the studio.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Generate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Continue the text from the cursor, block by block.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Stop</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop the generation within one forward pass.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Restart Current Block</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start the block being denoised over with the current parameters.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Tint Text by Step</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Colour generated text by the denoising step that revealed each token.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Follow Latest Block</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show the block being generated in the timeline and plots.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Step &amp;Back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Replay: go back one denoising step.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Step &amp;Forward</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Replay: show one more denoising step, and explain what it revealed and why.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Play Replay</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Replay: play or pause the unmasking of the chosen block.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Compare Block Sizes…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Generate the same prompt at several block sizes, from autoregressive to whole-context diffusion, and show them side by side.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;System Language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use the language of the system (takes effect at the next start).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use English (takes effect at the next start).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use Simplified Chinese (takes effect at the next start).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;About BD3 Studio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show the version and what the studio is for.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>StudioExporter</name>
    <message>
        <source>%1 cannot be written: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Writing %1 failed: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no generation to export yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>BD3 Studio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Drawn by BD3 Studio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 cannot be written.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Writing %1 failed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 cannot be written as %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no block to animate yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Block %1 has no steps yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Plots are saved as .png or .pdf, not “%1”.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>StudioSessionFormat</name>
    <message>
        <source>The file is damaged: it is not valid JSON (%1 at byte %2).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This is not a BD3 Studio session.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The session has no format version.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This session was saved by a newer BD3 Studio (session format %1); this version reads format %2. Open it with a newer BD3 Studio.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This session uses format %1, from an older BD3 Studio, which this version no longer reads (it reads format %2).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The session is damaged: the document is missing.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The session is damaged: the parameters are missing.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The session is damaged: the generations are missing.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The session is damaged: generation %1 is not a trace.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The session is damaged: generation %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 cannot be written: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Writing %1 failed: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 cannot be read: %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>UnmaskingView</name>
    <message>
        <source>%1 earlier</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The unmasking of each block shows here as it is generated.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Block %1 · step %2 of %3 · %4 masked</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> · restarted once</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> · restarted %1 times</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>steps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>step 1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Block %1 — click to inspect it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Position %1: “%2”, known before the block started</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Position %1: still masked</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Position %1: “%2”
revealed at step %3, probability %4, entropy %5 nats</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>WritingEditor</name>
    <message>
        <source>Write here, then press Ctrl+Return: the model continues from the cursor, block by block.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt;&lt;br&gt;block %2, from the prompt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt;&lt;br&gt;block %2, step %3&lt;br&gt;probability %4, entropy %5 nats</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;br&gt;alternatives: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>A studio for block diffusion language models.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A session file to open.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model folder to open.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Generate from --prompt and save a picture of the window mid-generation, then quit.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What the screenshot shows: live, step, compare or timeline.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Text to start the screenshot with.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Blocks to generate before the screenshot.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
