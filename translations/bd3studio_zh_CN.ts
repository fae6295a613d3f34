<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AtomicFile</name>
    <message>
        <source>%1 cannot be written: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message>
        <source>Writing %1 failed: %2</source>
        <translation>写入 %1 失败：%2</translation>
    </message>
</context>
<context>
    <name>CompareDialog</name>
    <message>
        <source>Compare Block Sizes</source>
        <translation>比较块大小</translation>
    </message>
    <message>
        <source>The same prompt, seed and sampler at several block sizes: block size 1 writes one token per forward pass (autoregressive); larger blocks reveal several tokens per pass; one block as long as the context is plain masked diffusion.</source>
        <translation>以相同的提示、种子和采样器在几种块大小下生成：块大小为 1 时每次前向计算写出一个词元（自回归）；更大的块每次计算揭示多个词元；与整个上下文等长的单个块就是普通的掩码扩散。</translation>
    </message>
    <message>
        <source>Block sizes</source>
        <translation>块大小</translation>
    </message>
    <message>
        <source>Denoising steps per block (never more than the block has tokens).</source>
        <translation>每个块的去噪步数（不超过块中的词元数）。</translation>
    </message>
    <message>
        <source>Steps per block</source>
        <translation>每块步数</translation>
    </message>
    <message>
        <source>New tokens each run writes.</source>
        <translation>每次运行写出的新词元数。</translation>
    </message>
    <message>
        <source>Tokens</source>
        <translation>词元数</translation>
    </message>
    <message>
        <source>&amp;Run</source>
        <translation>运行(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Stop</source>
        <translation>停止(&amp;S)</translation>
    </message>
    <message>
        <source>%1 tokens · %2 NFEs · %3 s · %4 tokens/s</source>
        <translation>%1 个词元 · %2 次 NFE · %3 秒 · 每秒 %4 个词元</translation>
    </message>
    <message>
        <source>running…</source>
        <translation>运行中…</translation>
    </message>
    <message>
        <source>failed: %1</source>
        <translation>失败：%1</translation>
    </message>
    <message>
        <source>Done. NFEs are the network&apos;s forward passes: fewer per token means faster, and usually less careful, text.</source>
        <translation>完成。NFE 是网络的前向计算次数：每个词元用得越少，生成越快，但文本通常也越不细致。</translation>
    </message>
    <message>
        <source>Prompt: %1</source>
        <translation>提示：%1</translation>
    </message>
    <message>
        <source>The comparison is already running.</source>
        <translation>比较已在运行。</translation>
    </message>
    <message>
        <source>Block size 1 (autoregressive)</source>
        <translation>块大小 1（自回归）</translation>
    </message>
    <message>
        <source>Block size %1 (whole context, MDLM)</source>
        <translation>块大小 %1（整个上下文，MDLM）</translation>
    </message>
    <message>
        <source>Block size %1</source>
        <translation>块大小 %1</translation>
    </message>
    <message numerus="yes">
        <source>%n step(s) per block</source>
        <translation>
            <numerusform>每块 %n 步</numerusform>
        </translation>
    </message>
    <message>
        <source>waiting</source>
        <translation>等待中</translation>
    </message>
    <message numerus="yes">
        <source>Generating %n run(s) one after another…</source>
        <translation>
            <numerusform>正在依次生成 %n 次运行…</numerusform>
        </translation>
    </message>
    <message>
        <source>Block sizes separated by commas; &quot;context&quot; is one block as long as the whole context.</source>
        <translation>用逗号分隔的块大小；&quot;context&quot; 表示与整个上下文等长的单个块。</translation>
    </message>
    <message>
        <source>Block sizes must be whole numbers from 1 to %1 or &quot;context&quot;, separated by commas.</source>
        <translation>块大小必须是 1 到 %1 之间的整数或 &quot;context&quot;，用逗号分隔。</translation>
    </message>
</context>
<context>
    <name>ControlsDock</name>
    <message>
        <source>Controls</source>
        <translation>控制</translation>
    </message>
    <message>
        <source>Tokens per block: blocks are written left to right, and the tokens inside a block are revealed together over a few steps.</source>
        <translation>每块词元数：块从左到右依次写出，块内的词元在几个步骤中一起被揭示。</translation>
    </message>
    <message>
        <source>1 · AR</source>
        <translation>1 · 自回归</translation>
    </message>
    <message>
        <source>Block size 1 is an autoregressive model: one token at a time, left to right.</source>
        <translation>块大小为 1 就是自回归模型：从左到右，一次一个词元。</translation>
    </message>
    <message numerus="yes">
        <source>Use blocks of %n tokens.</source>
        <translation>
            <numerusform>使用 %n 个词元的块。</numerusform>
        </translation>
    </message>
    <message>
        <source>MDLM</source>
        <translation>MDLM</translation>
    </message>
    <message>
        <source>One block as long as the whole context: plain masked diffusion (MDLM).</source>
        <translation>与整个上下文等长的单个块：普通的掩码扩散（MDLM）。</translation>
    </message>
    <message>
        <source>Block size</source>
        <translation>块大小</translation>
    </message>
    <message>
        <source>Denoising steps per block: fewer steps reveal more tokens at once, faster but less careful.</source>
        <translation>每块的去噪步数：步数越少，一次揭示的词元越多，更快但不那么细致。</translation>
    </message>
    <message>
        <source>Steps per block</source>
        <translation>每块步数</translation>
    </message>
    <message>
        <source>Log-linear</source>
        <translation>对数线性</translation>
    </message>
    <message>
        <source>Cosine</source>
        <translation>余弦</translation>
    </message>
    <message>
        <source>Square</source>
        <translation>平方</translation>
    </message>
    <message>
        <source>Square root</source>
        <translation>平方根</translation>
    </message>
    <message>
        <source>Log</source>
        <translation>对数</translation>
    </message>
    <message>
        <source>Clipped [β, ω]</source>
        <translation>截断 [β, ω]</translation>
    </message>
    <message>
        <source>The schedule sets how many tokens are expected to stay masked after each step.</source>
        <translation>调度决定每一步之后预计仍有多少词元保持掩码。</translation>
    </message>
    <message>
        <source>Schedule</source>
        <translation>调度</translation>
    </message>
    <message>
        <source>Clipped schedule: the masked fraction the last steps go down to before the final reveal.</source>
        <translation>截断调度：最后几步在最终揭示之前降到的掩码比例。</translation>
    </message>
    <message>
        <source>Clipped schedule: the masked fraction right after the first step.</source>
        <translation>截断调度：第一步之后的掩码比例。</translation>
    </message>
    <message>
        <source>β, ω</source>
        <translation>β, ω</translation>
    </message>
    <message>
        <source>DDPM step</source>
        <translation>DDPM 步</translation>
    </message>
    <message>
        <source>First hitting</source>
        <translation>首次命中</translation>
    </message>
    <message>
        <source>Top-k confidence</source>
        <translation>Top-k 置信度</translation>
    </message>
    <message>
        <source>Threshold</source>
        <translation>阈值</translation>
    </message>
    <message>
        <source>Sampler</source>
        <translation>采样器</translation>
    </message>
    <message>
        <source>Probability</source>
        <translation>概率</translation>
    </message>
    <message>
        <source>Low entropy</source>
        <translation>低熵</translation>
    </message>
    <message>
        <source>Top-2 margin</source>
        <translation>前二差值</translation>
    </message>
    <message>
        <source>How sure the model is about a position: the chosen token&apos;s probability, how peaked the distribution is, or the gap between the two best tokens.</source>
        <translation>模型对某个位置有多大把握：所选词元的概率、分布有多集中，或最好的两个词元之间的差距。</translation>
    </message>
    <message>
        <source>Confidence</source>
        <translation>置信度</translation>
    </message>
    <message>
        <source>Threshold sampler: every masked token at least this confident is revealed, and at least one per step.</source>
        <translation>阈值采样器：置信度不低于该值的每个掩码词元都会被揭示，且每步至少揭示一个。</translation>
    </message>
    <message>
        <source>Temperature</source>
        <translation>温度</translation>
    </message>
    <message>
        <source>Nucleus sampling: only the most probable tokens that together hold this much probability can be drawn.</source>
        <translation>核采样：只从合计占有这么多概率的最可能词元中抽取。</translation>
    </message>
    <message>
        <source>Top-p</source>
        <translation>Top-p</translation>
    </message>
    <message>
        <source>Fixed</source>
        <translation>固定</translation>
    </message>
    <message>
        <source>With a fixed seed the same settings write the same text again; otherwise every generation draws a new seed.</source>
        <translation>种子固定时，相同的设置会再次写出相同的文本；否则每次生成都会抽取新的种子。</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>种子</translation>
    </message>
    <message>
        <source>The most new tokens one generation writes.</source>
        <translation>一次生成最多写出的新词元数。</translation>
    </message>
    <message>
        <source>Token limit</source>
        <translation>词元上限</translation>
    </message>
    <message>
        <source>Stop at end of text</source>
        <translation>在文本结束处停止</translation>
    </message>
    <message>
        <source>Stop when the model writes its end-of-sequence token, so the length is the model&apos;s choice.</source>
        <translation>模型写出序列结束词元时停止，由模型决定长度。</translation>
    </message>
    <message>
        <source>Where the network runs; a new device takes effect when a model is loaded.</source>
        <translation>网络运行的位置；新设备在加载模型时生效。</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message numerus="yes">
        <source>One block as long as the whole context (%n tokens): plain masked diffusion (MDLM).</source>
        <translation>
            <numerusform>与整个上下文（%n 个词元）等长的单个块：普通的掩码扩散（MDLM）。</numerusform>
        </translation>
    </message>
    <message>
        <source>The parameters are not valid: %1</source>
        <translation>参数无效：%1</translation>
    </message>
    <message>
        <source>The parameters are not valid: the token limit must be at least 1.</source>
        <translation>参数无效：词元上限必须至少为 1。</translation>
    </message>
    <message>
        <source>NVIDIA GPU (not available)</source>
        <translation>NVIDIA GPU（不可用）</translation>
    </message>
    <message>
        <source>Low confidence, static (SDAR)</source>
        <translation>低置信度，静态（SDAR）</translation>
    </message>
    <message>
        <source>Low confidence, dynamic (SDAR)</source>
        <translation>低置信度，动态（SDAR）</translation>
    </message>
    <message>
        <source>Sequential (left to right)</source>
        <translation>顺序（从左到右）</translation>
    </message>
    <message>
        <source>How a step picks the tokens to reveal: at random at the schedule&apos;s pace (DDPM), one at a time (first hitting), the most confident ones (top-k), or all above a threshold; SDAR&apos;s strategies reveal an even share of the block per step, the most confident first (static), all above the threshold when enough are (dynamic), or left to right (sequential).</source>
        <translation>每一步如何选择要揭示的词元：按调度的节奏随机揭示（DDPM）、一次一个（首次命中）、最有把握的若干个（top-k），或所有超过阈值的；SDAR 的策略每步揭示块中均分的一份：置信度最高的优先（静态）、足够多时揭示所有超过阈值的（动态），或从左到右（顺序）。</translation>
    </message>
    <message>
        <source>off</source>
        <translation>关</translation>
    </message>
    <message>
        <source>Threshold sampler: decode each block in sub-blocks of this many tokens, one after another, as Fast-dLLM v2 does.</source>
        <translation>阈值采样器：像 Fast-dLLM v2 那样，把每个块分成这么多词元的子块，依次解码。</translation>
    </message>
    <message>
        <source>Sub-block</source>
        <translation>子块</translation>
    </message>
    <message>
        <source>0 (greedy)</source>
        <translation>0（贪心）</translation>
    </message>
    <message>
        <source>Temperature: below 1 the model picks its favourite tokens more often, above 1 it takes more chances; 0 always takes the most probable token.</source>
        <translation>温度：低于 1 时模型更常选择它最偏好的词元，高于 1 时更敢冒险；为 0 时总是选择概率最高的词元。</translation>
    </message>
    <message>
        <source>all</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>Top-k: only the k most probable tokens can be drawn (before top-p).</source>
        <translation>Top-k：只能抽取概率最高的 k 个词元（在 top-p 之前）。</translation>
    </message>
    <message>
        <source>Top-k</source>
        <translation>Top-k</translation>
    </message>
    <message>
        <source>CPU threads the network runs on; fewer leave cores to other programs. Takes effect when a model is loaded.</source>
        <translation>网络运行所用的 CPU 线程数；少用几个可把核心留给其他程序。加载模型时生效。</translation>
    </message>
    <message>
        <source>CPU threads</source>
        <translation>CPU 线程</translation>
    </message>
    <message>
        <source>%1: from the model&apos;s generation_config.json</source>
        <translation>%1：来自模型的 generation_config.json</translation>
    </message>
    <message>
        <source>%1: the %2 family&apos;s defaults</source>
        <translation>%1：%2 系列的默认值</translation>
    </message>
</context>
<context>
    <name>ConversationPanel</name>
    <message>
        <source>Think first</source>
        <translation>先思考</translation>
    </message>
    <message>
        <source>&amp;Send</source>
        <translation>发送(&amp;S)</translation>
    </message>
    <message>
        <source>Re&amp;generate</source>
        <translation>重新生成(&amp;G)</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>New</source>
        <translation>新建</translation>
    </message>
    <message>
        <source>System prompt (optional)</source>
        <translation>系统提示（可选）</translation>
    </message>
    <message>
        <source>&lt;p&gt;Instructions the model reads before the conversation, in its template&apos;s system turn. A change applies from the next reply.&lt;/p&gt;</source>
        <translation>&lt;p&gt;模型在对话之前读到的指示，位于其模板的系统轮次中。更改从下一次回复起生效。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Message (Ctrl+Enter sends)</source>
        <translation>消息（Ctrl+Enter 发送）</translation>
    </message>
    <message>
        <source>&lt;p&gt;Thinking models (Qwen3 templates) may reason first, between &amp;lt;think&amp;gt; tags; the thinking is shown folded, apart from the answer.&lt;/p&gt;</source>
        <translation>&lt;p&gt;思考型模型（Qwen3 模板）可以先在 &amp;lt;think&amp;gt; 标签之间推理；思考内容折叠显示，与回答分开。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Write the last reply again, with a new seed</source>
        <translation>用新的种子重新写出上一条回复</translation>
    </message>
    <message>
        <source>Start a new conversation</source>
        <translation>开始新的对话</translation>
    </message>
    <message>
        <source>Chat in the model&apos;s own format (%1).</source>
        <translation>以模型自己的格式对话（%1）。</translation>
    </message>
    <message>
        <source>The model&apos;s chat template cannot be used: %1</source>
        <translation>无法使用模型的对话模板：%1</translation>
    </message>
    <message>
        <source>This model has no chat template: it continues the text in the editor.</source>
        <translation>此模型没有对话模板：它在编辑器中续写文本。</translation>
    </message>
    <message>
        <source>No reply: %1</source>
        <translation>没有回复：%1</translation>
    </message>
    <message>
        <source>You</source>
        <translation>你</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message numerus="yes">
        <source>Thinking (%n word(s))</source>
        <translation>
            <numerusform>思考（%n 个词）</numerusform>
        </translation>
    </message>
    <message>
        <source>writing…</source>
        <translation>正在写…</translation>
    </message>
</context>
<context>
    <name>EngineController</name>
    <message>
        <source>A generation is already running.</source>
        <translation>已有生成正在运行。</translation>
    </message>
    <message>
        <source>No model is loaded yet.</source>
        <translation>尚未加载模型。</translation>
    </message>
</context>
<context>
    <name>EngineWorker</name>
    <message>
        <source>There is not enough memory to load this model.</source>
        <translation>内存不足，无法加载此模型。</translation>
    </message>
    <message>
        <source>No model is loaded.</source>
        <translation>未加载模型。</translation>
    </message>
    <message>
        <source>The generation ran out of memory.</source>
        <translation>生成过程中内存不足。</translation>
    </message>
</context>
<context>
    <name>GifWriter</name>
    <message>
        <source>There is nothing to animate.</source>
        <translation>没有可制作动画的内容。</translation>
    </message>
    <message>
        <source>The frames are empty.</source>
        <translation>帧是空的。</translation>
    </message>
    <message>
        <source>The frames differ in size.</source>
        <translation>各帧尺寸不同。</translation>
    </message>
    <message>
        <source>%1 cannot be written: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message>
        <source>Writing %1 failed: %2</source>
        <translation>写入 %1 失败：%2</translation>
    </message>
    <message>
        <source>Out of memory while writing %1.</source>
        <translation>写入 %1 时内存不足。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>BD3 Studio</source>
        <translation>BD3 Studio</translation>
    </message>
    <message>
        <source>Step Timeline</source>
        <translation>步骤时间线</translation>
    </message>
    <message>
        <source>Plots</source>
        <translation>图表</translation>
    </message>
    <message>
        <source>PNG image (*.png);;SVG drawing (*.svg)</source>
        <translation>PNG 图像 (*.png);;SVG 矢量图 (*.svg)</translation>
    </message>
    <message>
        <source>Export Text</source>
        <translation>导出文本</translation>
    </message>
    <message>
        <source>Text (*.txt);;All files (*)</source>
        <translation>文本 (*.txt);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Export Trace</source>
        <translation>导出轨迹</translation>
    </message>
    <message>
        <source>Trace (*.json)</source>
        <translation>轨迹 (*.json)</translation>
    </message>
    <message>
        <source>Export Unmasking View</source>
        <translation>导出去掩码视图</translation>
    </message>
    <message>
        <source>Export Step Timeline</source>
        <translation>导出步骤时间线</translation>
    </message>
    <message>
        <source>Export Block as GIF</source>
        <translation>将块导出为 GIF</translation>
    </message>
    <message>
        <source>Animated GIF (*.gif)</source>
        <translation>GIF 动画 (*.gif)</translation>
    </message>
    <message>
        <source>Export Plots</source>
        <translation>导出图表</translation>
    </message>
    <message>
        <source>PNG images (*.png);;PDF documents (*.pdf)</source>
        <translation>PNG 图像 (*.png);;PDF 文档 (*.pdf)</translation>
    </message>
    <message>
        <source>Loading %1…</source>
        <translation>正在加载 %1…</translation>
    </message>
    <message>
        <source>Generation failed: %1</source>
        <translation>生成失败：%1</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Export</source>
        <translation>导出(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;Undo</source>
        <translation>撤销(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Redo</source>
        <translation>重做(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Generate</source>
        <translation>生成(&amp;G)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>Generation</source>
        <translation>生成</translation>
    </message>
    <message>
        <source>No model</source>
        <translation>无模型</translation>
    </message>
    <message>
        <source>Open Model Folder</source>
        <translation>打开模型文件夹</translation>
    </message>
    <message>
        <source>Model loaded: %1</source>
        <translation>模型已加载：%1</translation>
    </message>
    <message>
        <source>The model in %1 could not be loaded:

%2</source>
        <translation>无法加载 %1 中的模型：

%2</translation>
    </message>
    <message>
        <source>

The model loaded before (%1) is still in use.</source>
        <translation>

仍在使用之前加载的模型（%1）。</translation>
    </message>
    <message>
        <source>Model Not Loaded</source>
        <translation>模型未加载</translation>
    </message>
    <message>
        <source>token limit reached</source>
        <translation>已达词元上限</translation>
    </message>
    <message>
        <source>end of text</source>
        <translation>文本结束</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>text became repetitive</source>
        <translation>文本开始重复</translation>
    </message>
    <message>
        <source>Finished: %1 tokens, %2 NFEs, %3 s (%4)</source>
        <translation>完成：%1 个词元，%2 次 NFE，%3 秒（%4）</translation>
    </message>
    <message>
        <source>Open Trace</source>
        <translation>打开轨迹</translation>
    </message>
    <message>
        <source>Traces (*.json);;All files (*)</source>
        <translation>轨迹 (*.json);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Trace Not Opened</source>
        <translation>轨迹未打开</translation>
    </message>
    <message>
        <source>The trace %1 could not be opened:

%2</source>
        <translation>无法打开轨迹 %1：

%2</translation>
    </message>
    <message>
        <source>A generation is running; stop it first.</source>
        <translation>有生成正在运行，请先停止它。</translation>
    </message>
    <message>
        <source>The trace uses token %1, which the loaded model (%2) does not have; open the model it was made with (%3) first.</source>
        <translation>该轨迹使用了词元 %1，而已加载的模型（%2）没有这个词元；请先打开生成它的模型（%3）。</translation>
    </message>
    <message numerus="yes">
        <source>Trace opened: %n block(s) to replay (F10 steps through them).</source>
        <translation>
            <numerusform>轨迹已打开：可回放 %n 个块（按 F10 逐步查看）。</numerusform>
        </translation>
    </message>
    <message>
        <source>Once upon a time</source>
        <translation>Once upon a time</translation>
    </message>
    <message>
        <source>untitled</source>
        <translation>未命名</translation>
    </message>
    <message>
        <source>Export Failed</source>
        <translation>导出失败</translation>
    </message>
    <message>
        <source>Saved %1</source>
        <translation>已保存 %1</translation>
    </message>
    <message>
        <source>%1 tokens/s</source>
        <translation>每秒 %1 个词元</translation>
    </message>
    <message numerus="yes">
        <source>%n NFE(s)</source>
        <translation>
            <numerusform>%n 次 NFE</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <source>About BD3 Studio</source>
        <translation>关于 BD3 Studio</translation>
    </message>
    <message>
        <source>&lt;h3&gt;BD3 Studio %1&lt;/h3&gt;&lt;p&gt;Write with a block diffusion language model and watch each block&apos;s tokens being unmasked, step by step.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;BD3 Studio %1&lt;/h3&gt;&lt;p&gt;用块扩散语言模型写作，并逐步观察每个块中的词元如何被去掩码。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>%1 — BD3 Studio</source>
        <translation>%1 — BD3 Studio</translation>
    </message>
    <message>
        <source>The session&apos;s model %1 is not found; the current model stays.</source>
        <translation>找不到会话的模型 %1；继续使用当前模型。</translation>
    </message>
    <message>
        <source>Session Not Saved</source>
        <translation>会话未保存</translation>
    </message>
    <message>
        <source>Session saved: %1</source>
        <translation>会话已保存：%1</translation>
    </message>
    <message>
        <source>Save Session</source>
        <translation>保存会话</translation>
    </message>
    <message>
        <source>BD3 Studio sessions (*.bd3session)</source>
        <translation>BD3 Studio 会话 (*.bd3session)</translation>
    </message>
    <message>
        <source>Open Session</source>
        <translation>打开会话</translation>
    </message>
    <message>
        <source>BD3 Studio sessions (*.bd3session);;All files (*)</source>
        <translation>BD3 Studio 会话 (*.bd3session);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Session Not Opened</source>
        <translation>会话未打开</translation>
    </message>
    <message>
        <source>The session %1 could not be opened:

%2

The open document is unchanged.</source>
        <translation>无法打开会话 %1：

%2

当前打开的文档没有改变。</translation>
    </message>
    <message>
        <source>Autosave failed: %1</source>
        <translation>自动保存失败：%1</translation>
    </message>
    <message>
        <source>The autosaved session could not be read (%1); it was kept as %2.</source>
        <translation>无法读取自动保存的会话（%1）；已将其保留为 %2。</translation>
    </message>
    <message>
        <source>Restore Session</source>
        <translation>恢复会话</translation>
    </message>
    <message numerus="yes">
        <source>BD3 Studio did not close properly last time. Restore the session it saved (%n generation(s))?</source>
        <translation>
            <numerusform>BD3 Studio 上次没有正常关闭。要恢复它保存的会话（%n 次生成）吗？</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;Restore</source>
        <translation>恢复(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Discard</source>
        <translation>丢弃(&amp;D)</translation>
    </message>
    <message>
        <source>Session Not Restored</source>
        <translation>会话未恢复</translation>
    </message>
    <message>
        <source>The language changes at the next start of BD3 Studio.</source>
        <translation>语言将在下次启动 BD3 Studio 时更改。</translation>
    </message>
    <message>
        <source>Unsaved Changes</source>
        <translation>未保存的更改</translation>
    </message>
    <message>
        <source>The document has changes that are not saved in a session.</source>
        <translation>文档有尚未保存到会话中的更改。</translation>
    </message>
    <message>
        <source>Model loaded on the CPU: %1</source>
        <translation>模型已在 CPU 上加载：%1</translation>
    </message>
    <message>
        <source>Autosave is off: %1 other BD3 Studio windows are autosaving.</source>
        <translation>自动保存已关闭：另有 %1 个 BD3 Studio 窗口正在自动保存。</translation>
    </message>
    <message>
        <source>The autosaved session %1 could not be read (%2), nor moved aside (%3). It is left as it is, and this window does not autosave, so as not to write over it.</source>
        <translation>无法读取自动保存的会话 %1（%2），也无法将其移到一旁（%3）。该文件保持原样，本窗口不进行自动保存，以免覆盖它。</translation>
    </message>
    <message>
        <source>%1 · %2 · %3M parameters in %4</source>
        <translation>%1 · %2 · %3M 参数，%4</translation>
    </message>
    <message numerus="yes">
        <source>%n CPU thread(s)</source>
        <translation>
            <numerusform>%n 个 CPU 线程</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;Conversation</source>
        <translation>对话(&amp;C)</translation>
    </message>
</context>
<context>
    <name>PaceControl</name>
    <message>
        <source>&lt;p&gt;How fast a generation unfolds. Slow it down to watch each block&apos;s tokens being revealed, step by step; nothing is lost while the engine waits between steps.&lt;/p&gt;</source>
        <translation>&lt;p&gt;生成展开的速度。放慢它，可以逐步观看每个块的词元被揭示；引擎在步骤之间等待时不会丢失任何内容。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>As fast as possible</source>
        <translation>尽可能快</translation>
    </message>
    <message numerus="yes">
        <source>%L1 step(s) per second</source>
        <translation>
            <numerusform>每秒 %L1 步</numerusform>
        </translation>
    </message>
    <message>
        <source>Pause after each step</source>
        <translation>每步之后暂停</translation>
    </message>
</context>
<context>
    <name>PlotsPanel</name>
    <message>
        <source>step</source>
        <translation>步</translation>
    </message>
    <message>
        <source>masked fraction</source>
        <translation>掩码比例</translation>
    </message>
    <message>
        <source>observed</source>
        <translation>实际</translation>
    </message>
    <message>
        <source>schedule</source>
        <translation>调度</translation>
    </message>
    <message>
        <source>mean probability</source>
        <translation>平均概率</translation>
    </message>
    <message>
        <source>mean entropy (nats)</source>
        <translation>平均熵（奈特）</translation>
    </message>
    <message>
        <source>confidence</source>
        <translation>置信度</translation>
    </message>
    <message>
        <source>entropy</source>
        <translation>熵</translation>
    </message>
    <message>
        <source>Throughput per block</source>
        <translation>每块吞吐量</translation>
    </message>
    <message>
        <source>block</source>
        <translation>块</translation>
    </message>
    <message>
        <source>tokens per second</source>
        <translation>每秒词元数</translation>
    </message>
    <message>
        <source>NFEs</source>
        <translation>NFE</translation>
    </message>
    <message>
        <source>tokens / s</source>
        <translation>词元 / 秒</translation>
    </message>
    <message>
        <source>Masked fraction · block %1</source>
        <translation>掩码比例 · 块 %1</translation>
    </message>
    <message>
        <source>Confidence and entropy · block %1</source>
        <translation>置信度与熵 · 块 %1</translation>
    </message>
    <message>
        <source>Masked fraction</source>
        <translation>掩码比例</translation>
    </message>
    <message>
        <source>Confidence and entropy</source>
        <translation>置信度与熵</translation>
    </message>
    <message numerus="yes">
        <source>Throughput per %n block(s)</source>
        <translation>
            <numerusform>每 %n 个块的吞吐量</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ReplayDock</name>
    <message>
        <source>Step Through</source>
        <translation>逐步查看</translation>
    </message>
    <message>
        <source>Block</source>
        <translation>块</translation>
    </message>
    <message>
        <source>The block to replay; any finished block can be chosen.</source>
        <translation>要回放的块；可以选择任何已完成的块。</translation>
    </message>
    <message>
        <source>%1×</source>
        <translation>%1×</translation>
    </message>
    <message>
        <source>Replay speed: at 1×, a step every 0.7 seconds.</source>
        <translation>回放速度：1× 时每 0.7 秒一步。</translation>
    </message>
    <message>
        <source>Speed</source>
        <translation>速度</translation>
    </message>
    <message>
        <source>Scrub through the block&apos;s steps: 0 is the block as it started.</source>
        <translation>拖动浏览块的各个步骤：0 表示块刚开始时的样子。</translation>
    </message>
    <message>
        <source>step %1 of %2</source>
        <translation>第 %1 步，共 %2 步</translation>
    </message>
    <message>
        <source>of %1</source>
        <translation>共 %1 个</translation>
    </message>
    <message>
        <source>&lt;p&gt;Generate some text, or open a trace; then step through any block here, one denoising step at a time (F10), and read what each step decided.&lt;/p&gt;</source>
        <translation>&lt;p&gt;先生成一些文本或打开一个轨迹；然后在这里逐步查看任意一个块，每次一个去噪步骤（F10），并阅读每一步做出的决定。&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>SelectionAssistant</name>
    <message>
        <source>&amp;Rewrite Selection</source>
        <translation>改写所选内容(&amp;R)</translation>
    </message>
    <message>
        <source>S&amp;horten Selection</source>
        <translation>缩短所选内容(&amp;H)</translation>
    </message>
    <message>
        <source>Continue in This St&amp;yle</source>
        <translation>按此风格续写(&amp;Y)</translation>
    </message>
    <message>
        <source>&amp;Instruction on Selection…</source>
        <translation>对所选内容下指令(&amp;I)…</translation>
    </message>
    <message>
        <source>Ask the chat model about the selected text; its proposal is shown beside the original before anything changes</source>
        <translation>让对话模型处理所选文本；在做任何更改之前，其建议会显示在原文旁边</translation>
    </message>
    <message>
        <source>Instruction on Selection</source>
        <translation>对所选内容下指令</translation>
    </message>
    <message>
        <source>What should the model do with the selected text?</source>
        <translation>模型应当如何处理所选文本？</translation>
    </message>
    <message>
        <source>The chat template failed: %1</source>
        <translation>对话模板出错：%1</translation>
    </message>
    <message>
        <source>Proposal for the Selection</source>
        <translation>对所选内容的建议</translation>
    </message>
    <message>
        <source>&amp;Accept</source>
        <translation>接受(&amp;A)</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>&amp;Discard</source>
        <translation>丢弃(&amp;D)</translation>
    </message>
    <message>
        <source>Original</source>
        <translation>原文</translation>
    </message>
    <message>
        <source>Proposal (you may edit it)</source>
        <translation>建议（可以编辑）</translation>
    </message>
    <message>
        <source>Writing…</source>
        <translation>正在写…</translation>
    </message>
    <message>
        <source>Accept puts the proposal in the document; Undo takes it back.</source>
        <translation>“接受”把建议放入文档；“撤销”可以收回。</translation>
    </message>
    <message>
        <source>No proposal: %1</source>
        <translation>没有建议：%1</translation>
    </message>
    <message>
        <source>Needs a model with a chat template (an instruction model)</source>
        <translation>需要带有对话模板的模型（指令模型）</translation>
    </message>
</context>
<context>
    <name>StepExplainer</name>
    <message>
        <source>probability</source>
        <translation>概率</translation>
    </message>
    <message>
        <source>low entropy</source>
        <translation>低熵</translation>
    </message>
    <message>
        <source>top-2 margin</source>
        <translation>前二差值</translation>
    </message>
    <message>
        <source>No block to explain yet: generate, or open a trace.</source>
        <translation>还没有可解释的块：请先生成，或打开一个轨迹。</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Block %1 as it starts&lt;/h3&gt;</source>
        <translation>&lt;h3&gt;块 %1 的初始状态&lt;/h3&gt;</translation>
    </message>
    <message numerus="yes">
        <source>&lt;p&gt;%n position(s) start as [MASK]: the model has to fill them in.</source>
        <translation>
            <numerusform>&lt;p&gt;%n 个位置以 [MASK] 开始：模型需要把它们填上。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source> The first %n token(s) are already known from the prompt.</source>
        <translation>
            <numerusform> 前 %n 个词元已由提示给出。</numerusform>
        </translation>
    </message>
    <message>
        <source>&lt;p&gt;The block runs with block size %1, %2 step(s) planned, the %3 schedule and the %4 sampler. Every step the model looks at the whole block and the text before it, and the sampler decides which masked positions to reveal.&lt;/p&gt;</source>
        <translation>&lt;p&gt;该块的块大小为 %1，计划 %2 步，使用 %3 调度和 %4 采样器。每一步模型都会查看整个块以及它之前的文本，再由采样器决定揭示哪些掩码位置。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;p&gt;Press Step Forward (F10) to see the first step.&lt;/p&gt;</source>
        <translation>&lt;p&gt;按&quot;前进一步&quot;（F10）查看第一步。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Block %1, step %2 of %3&lt;/h3&gt;</source>
        <translation>&lt;h3&gt;块 %1，第 %2 步（共 %3 步）&lt;/h3&gt;</translation>
    </message>
    <message>
        <source>&lt;p&gt;Before this step %1 of %2 position(s) were masked; after it, %3.&lt;/p&gt;</source>
        <translation>&lt;p&gt;这一步之前，%2 个位置中有 %1 个被掩码；之后还剩 %3 个。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;b&gt;DDPM sampler.&lt;/b&gt; This is the last step: the %1 schedule leaves nothing masked, so every remaining position is revealed.</source>
        <translation>&lt;b&gt;DDPM 采样器。&lt;/b&gt;这是最后一步：%1 调度不再保留任何掩码，所以剩下的每个位置都被揭示。</translation>
    </message>
    <message>
        <source>&lt;b&gt;DDPM sampler.&lt;/b&gt; The %1 schedule asks for %2 position(s) to stay masked on average after this step, so each of the %3 masked positions was revealed independently with chance (%3 − %2) / %3 = %4. The dice came up %5 time(s): which positions is chance, not confidence.</source>
        <translation>&lt;b&gt;DDPM 采样器。&lt;/b&gt;%1 调度要求这一步之后平均有 %2 个位置保持掩码，因此 %3 个掩码位置中的每一个都以 (%3 − %2) / %3 = %4 的概率被独立揭示。骰子一共掷中了 %5 次：揭示哪些位置取决于运气，而不是置信度。</translation>
    </message>
    <message>
        <source>&lt;b&gt;Top-k confidence.&lt;/b&gt; The %1 schedule asks for %2 position(s) to stay masked, so the sampler drew a token for every masked position and revealed the k = %3 it was most sure of (by %4). The others stay masked and are predicted again next step, with more context.</source>
        <translation>&lt;b&gt;Top-k 置信度。&lt;/b&gt;%1 调度要求保留 %2 个位置为掩码，因此采样器为每个掩码位置抽取一个词元，并揭示其中最有把握的 k = %3 个（按%4）。其余位置保持掩码，下一步会在更多上下文下重新预测。</translation>
    </message>
    <message>
        <source>&lt;b&gt;Threshold %1.&lt;/b&gt; No masked position reached the threshold (by %2), so the sampler revealed only the single most confident one; a step always reveals at least one token.</source>
        <translation>&lt;b&gt;阈值 %1。&lt;/b&gt;没有掩码位置达到阈值（按%2），所以采样器只揭示了最有把握的那一个；每一步至少揭示一个词元。</translation>
    </message>
    <message>
        <source>&lt;b&gt;Threshold %1.&lt;/b&gt; Every masked position whose confidence (by %2) reached the threshold was revealed, however many that is: here %3. The schedule does not decide; the model&apos;s certainty does, so easy stretches go fast.</source>
        <translation>&lt;b&gt;阈值 %1。&lt;/b&gt;置信度（按%2）达到阈值的每个掩码位置都被揭示，不论有多少个：这里是 %3 个。决定数量的不是调度，而是模型的把握程度，所以容易的段落进展很快。</translation>
    </message>
    <message>
        <source>&lt;b&gt;First hitting.&lt;/b&gt; Exactly one masked position, chosen at random, is revealed per step, so a block takes as many steps as it has masks.</source>
        <translation>&lt;b&gt;首次命中。&lt;/b&gt;每一步恰好揭示一个随机选择的掩码位置，所以一个块需要的步数与它的掩码数相同。</translation>
    </message>
    <message>
        <source>&lt;p&gt;No forward pass ran for this step: the step before revealed nothing, so the model&apos;s output from then was used again (no NFE).&lt;/p&gt;</source>
        <translation>&lt;p&gt;这一步没有运行前向计算：上一步什么也没揭示，所以沿用了当时模型的输出（没有 NFE）。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;p&gt;One forward pass of the network (one NFE), %1 ms.&lt;/p&gt;</source>
        <translation>&lt;p&gt;网络的一次前向计算（一次 NFE），%1 毫秒。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;p&gt;Nothing was revealed at this step.&lt;/p&gt;</source>
        <translation>&lt;p&gt;这一步没有揭示任何词元。&lt;/p&gt;</translation>
    </message>
    <message numerus="yes">
        <source>&lt;p&gt;Revealed %n token(s):&lt;/p&gt;</source>
        <translation>
            <numerusform>&lt;p&gt;揭示了 %n 个词元：&lt;/p&gt;</numerusform>
        </translation>
    </message>
    <message>
        <source>&lt;tr&gt;&lt;th align=&quot;left&quot;&gt;pos.&lt;/th&gt;&lt;th align=&quot;left&quot;&gt;token&lt;/th&gt;&lt;th align=&quot;right&quot;&gt;prob.&lt;/th&gt;&lt;th align=&quot;right&quot;&gt;entropy&lt;/th&gt;&lt;th align=&quot;left&quot;&gt;next best&lt;/th&gt;&lt;/tr&gt;</source>
        <translation>&lt;tr&gt;&lt;th align=&quot;left&quot;&gt;位置&lt;/th&gt;&lt;th align=&quot;left&quot;&gt;词元&lt;/th&gt;&lt;th align=&quot;right&quot;&gt;概率&lt;/th&gt;&lt;th align=&quot;right&quot;&gt;熵&lt;/th&gt;&lt;th align=&quot;left&quot;&gt;次优&lt;/th&gt;&lt;/tr&gt;</translation>
    </message>
    <message>
        <source>&lt;b&gt;Low confidence, static (SDAR).&lt;/b&gt; The block&apos;s %1 positions are shared evenly over its %2 steps; this step&apos;s share was revealed, the positions the model was most sure of (by %3): %4. The rest are remasked and predicted again.</source>
        <translation>&lt;b&gt;低置信度，静态（SDAR）。&lt;/b&gt;块的 %1 个位置均分到它的 %2 步；这一步揭示了它的那一份，即模型最有把握的位置（按%3）：%4 个。其余位置重新掩码，下一步再预测。</translation>
    </message>
    <message>
        <source>&lt;b&gt;Low confidence, dynamic (SDAR).&lt;/b&gt; Every masked position above the threshold %1 (by %2) is revealed when there are at least this step&apos;s even share of the block; otherwise that share, the most confident first. Here %3.</source>
        <translation>&lt;b&gt;低置信度，动态（SDAR）。&lt;/b&gt;当超过阈值 %1（按%2）的掩码位置不少于这一步应揭示的均分份额时，全部揭示；否则揭示这一份额，置信度最高的优先。这里是 %3 个。</translation>
    </message>
    <message>
        <source>&lt;b&gt;Sequential.&lt;/b&gt; This step&apos;s even share of the block was revealed from the left: %1 token(s), whatever the model&apos;s confidence.</source>
        <translation>&lt;b&gt;顺序。&lt;/b&gt;这一步从左边起揭示了块中均分的一份：%1 个词元，不论模型的置信度如何。</translation>
    </message>
    <message>
        <source> Only the first sub-block of %1 tokens that still holds masks is decoded; the next starts when it is full (Fast-dLLM v2).</source>
        <translation> 只解码第一个仍含掩码的 %1 词元子块；它填满后才开始下一个（Fast-dLLM v2）。</translation>
    </message>
    <message>
        <source>&lt;b&gt;The block&apos;s first token.&lt;/b&gt; This model predicts each token from the row before it (it is an autoregressive model adapted to blocks), so the first position of a block is predicted by the last token of the block before, in the same pass that stores that block in the cache. It is drawn alone, like the next token of an autoregressive model; the rest of the block is then denoised.</source>
        <translation>&lt;b&gt;块的第一个词元。&lt;/b&gt;这个模型由前一行预测每个词元（它是改造成块扩散的自回归模型），所以块的第一个位置由前一个块的最后一个词元预测，就在把那个块存入缓存的同一次前向计算中。它像自回归模型的下一个词元那样单独抽取；块的其余部分随后去噪。</translation>
    </message>
</context>
<context>
    <name>StepTimelineView</name>
    <message>
        <source>step ↓</source>
        <translation>步 ↓</translation>
    </message>
    <message>
        <source>Each block&apos;s steps show here: a column per position, a row per step.</source>
        <translation>每个块的步骤显示在这里：每列一个位置，每行一步。</translation>
    </message>
    <message>
        <source>Block %1</source>
        <translation>块 %1</translation>
    </message>
    <message>
        <source>following the newest block</source>
        <translation>跟随最新的块</translation>
    </message>
    <message>
        <source>chosen block</source>
        <translation>所选的块</translation>
    </message>
    <message>
        <source>block size %1</source>
        <translation>块大小 %1</translation>
    </message>
    <message>
        <source>%1 positions here</source>
        <translation>此处 %1 个位置</translation>
    </message>
    <message>
        <source>1 step</source>
        <translation>1 步</translation>
    </message>
    <message>
        <source>%1 steps</source>
        <translation>%1 步</translation>
    </message>
    <message>
        <source>sampler %1</source>
        <translation>采样器 %1</translation>
    </message>
    <message>
        <source> (threshold %1)</source>
        <translation>（阈值 %1）</translation>
    </message>
    <message>
        <source>schedule %1</source>
        <translation>调度 %1</translation>
    </message>
    <message>
        <source> (β %1, ω %2)</source>
        <translation>（β %1，ω %2）</translation>
    </message>
    <message>
        <source>restarted once</source>
        <translation>重新开始过一次</translation>
    </message>
    <message>
        <source>restarted %1 times</source>
        <translation>重新开始过 %1 次</translation>
    </message>
    <message>
        <source>position →</source>
        <translation>位置 →</translation>
    </message>
    <message>
        <source>%1 at position %2&lt;br&gt;known before the block started</source>
        <translation>位置 %2 上的 %1&lt;br&gt;在块开始之前已知</translation>
    </message>
    <message>
        <source>Position %1&lt;br&gt;step %2 has not run yet</source>
        <translation>位置 %1&lt;br&gt;第 %2 步尚未运行</translation>
    </message>
    <message>
        <source>Position %1&lt;br&gt;still masked after step %2</source>
        <translation>位置 %1&lt;br&gt;第 %2 步之后仍被掩码</translation>
    </message>
    <message>
        <source>%1 at position %2&lt;br&gt;revealed at step %3 of %4&lt;br&gt;probability %5 · entropy %6 nats</source>
        <translation>位置 %2 上的 %1&lt;br&gt;在第 %3 步（共 %4 步）揭示&lt;br&gt;概率 %5 · 熵 %6 奈特</translation>
    </message>
    <message>
        <source>%1 %2</source>
        <translation>%1 %2</translation>
    </message>
    <message>
        <source>&lt;br&gt;top alternatives: %1</source>
        <translation>&lt;br&gt;最佳备选：%1</translation>
    </message>
    <message>
        <source>&lt;br&gt;(revealed before this step)</source>
        <translation>&lt;br&gt;（在这一步之前已揭示）</translation>
    </message>
</context>
<context>
    <name>StudioActions</name>
    <message>
        <source>&amp;Open Model…</source>
        <translation>打开模型(&amp;O)…</translation>
    </message>
    <message>
        <source>Load a model folder (config.json, model.safetensors and tokenizer files).</source>
        <translation>加载模型文件夹（config.json、model.safetensors 和分词器文件）。</translation>
    </message>
    <message>
        <source>Open &amp;Session…</source>
        <translation>打开会话(&amp;S)…</translation>
    </message>
    <message>
        <source>Open a saved session: the document, its generations, the parameters and the model.</source>
        <translation>打开保存的会话：文档、其中的生成、参数和模型。</translation>
    </message>
    <message>
        <source>&amp;Save Session</source>
        <translation>保存会话(&amp;S)</translation>
    </message>
    <message>
        <source>Save the document, its generations, the parameters and the model reference.</source>
        <translation>保存文档、其中的生成、参数和模型引用。</translation>
    </message>
    <message>
        <source>Save Session &amp;As…</source>
        <translation>会话另存为(&amp;A)…</translation>
    </message>
    <message>
        <source>Save the session under a new name.</source>
        <translation>以新名称保存会话。</translation>
    </message>
    <message>
        <source>Open &amp;Trace…</source>
        <translation>打开轨迹(&amp;T)…</translation>
    </message>
    <message>
        <source>Open a generation trace (JSON) to replay its blocks step by step.</source>
        <translation>打开生成轨迹（JSON），逐步回放其中的块。</translation>
    </message>
    <message>
        <source>&amp;Text…</source>
        <translation>文本(&amp;T)…</translation>
    </message>
    <message>
        <source>Save the document as plain UTF-8 text.</source>
        <translation>将文档保存为 UTF-8 纯文本。</translation>
    </message>
    <message>
        <source>T&amp;race…</source>
        <translation>轨迹(&amp;R)…</translation>
    </message>
    <message>
        <source>Save the last generation&apos;s every step as a JSON trace (docs/trace-format.md).</source>
        <translation>将最近一次生成的每一步保存为 JSON 轨迹（docs/trace-format.md）。</translation>
    </message>
    <message>
        <source>&amp;Unmasking View…</source>
        <translation>去掩码视图(&amp;U)…</translation>
    </message>
    <message>
        <source>Save the unmasking view as it is shown, as PNG or SVG.</source>
        <translation>按当前显示将去掩码视图保存为 PNG 或 SVG。</translation>
    </message>
    <message>
        <source>Step T&amp;imeline…</source>
        <translation>步骤时间线(&amp;I)…</translation>
    </message>
    <message>
        <source>Save the step timeline as PNG or SVG.</source>
        <translation>将步骤时间线保存为 PNG 或 SVG。</translation>
    </message>
    <message>
        <source>Block as Animated &amp;GIF…</source>
        <translation>块的 GIF 动画(&amp;G)…</translation>
    </message>
    <message>
        <source>Save the unmasking of the block being replayed as an animated GIF, one frame per step.</source>
        <translation>将正在回放的块的去掩码过程保存为 GIF 动画，每步一帧。</translation>
    </message>
    <message>
        <source>&amp;Plots…</source>
        <translation>图表(&amp;P)…</translation>
    </message>
    <message>
        <source>Save the three plots as PNG or PDF files.</source>
        <translation>将三幅图表保存为 PNG 或 PDF 文件。</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>Close the studio.</source>
        <translation>关闭工作室。</translation>
    </message>
    <message>
        <source>&amp;Generate</source>
        <translation>生成(&amp;G)</translation>
    </message>
    <message>
        <source>Continue the text from the cursor, block by block.</source>
        <translation>从光标处逐块续写文本。</translation>
    </message>
    <message>
        <source>&amp;Stop</source>
        <translation>停止(&amp;S)</translation>
    </message>
    <message>
        <source>Stop the generation within one forward pass.</source>
        <translation>在一次前向计算之内停止生成。</translation>
    </message>
    <message>
        <source>&amp;Restart Current Block</source>
        <translation>重新开始当前块(&amp;R)</translation>
    </message>
    <message>
        <source>Start the block being denoised over with the current parameters.</source>
        <translation>用当前参数重新开始正在去噪的块。</translation>
    </message>
    <message>
        <source>&amp;Tint Text by Step</source>
        <translation>按步骤给文本着色(&amp;T)</translation>
    </message>
    <message>
        <source>Colour generated text by the denoising step that revealed each token.</source>
        <translation>按揭示每个词元的去噪步骤为生成的文本着色。</translation>
    </message>
    <message>
        <source>&amp;Follow Latest Block</source>
        <translation>跟随最新的块(&amp;F)</translation>
    </message>
    <message>
        <source>Show the block being generated in the timeline and plots.</source>
        <translation>在时间线和图表中显示正在生成的块。</translation>
    </message>
    <message>
        <source>Step &amp;Back</source>
        <translation>后退一步(&amp;B)</translation>
    </message>
    <message>
        <source>Replay: go back one denoising step.</source>
        <translation>回放：后退一个去噪步骤。</translation>
    </message>
    <message>
        <source>Step &amp;Forward</source>
        <translation>前进一步(&amp;F)</translation>
    </message>
    <message>
        <source>Replay: show one more denoising step, and explain what it revealed and why.</source>
        <translation>回放：再显示一个去噪步骤，并解释它揭示了什么以及原因。</translation>
    </message>
    <message>
        <source>&amp;Play Replay</source>
        <translation>播放回放(&amp;P)</translation>
    </message>
    <message>
        <source>Replay: play or pause the unmasking of the chosen block.</source>
        <translation>回放：播放或暂停所选块的去掩码过程。</translation>
    </message>
    <message>
        <source>&amp;Compare Block Sizes…</source>
        <translation>比较块大小(&amp;C)…</translation>
    </message>
    <message>
        <source>Generate the same prompt at several block sizes, from autoregressive to whole-context diffusion, and show them side by side.</source>
        <translation>以几种块大小（从自回归到整个上下文的扩散）生成相同的提示，并排显示结果。</translation>
    </message>
    <message>
        <source>&amp;System Language</source>
        <translation>系统语言(&amp;S)</translation>
    </message>
    <message>
        <source>Use the language of the system (takes effect at the next start).</source>
        <translation>使用系统的语言（下次启动时生效）。</translation>
    </message>
    <message>
        <source>Use English (takes effect at the next start).</source>
        <translation>使用英语（下次启动时生效）。</translation>
    </message>
    <message>
        <source>Use Simplified Chinese (takes effect at the next start).</source>
        <translation>使用简体中文（下次启动时生效）。</translation>
    </message>
    <message>
        <source>&amp;About BD3 Studio</source>
        <translation>关于 BD3 Studio(&amp;A)</translation>
    </message>
    <message>
        <source>Show the version and what the studio is for.</source>
        <translation>显示版本以及本工作室的用途。</translation>
    </message>
    <message>
        <source>Pause After Each &amp;Step</source>
        <translation>每步之后暂停(&amp;S)</translation>
    </message>
    <message>
        <source>Live step mode: the generation waits after every denoising step; Step Forward (F10) runs the next one.</source>
        <translation>实时逐步模式：生成在每个去噪步骤之后等待；按&quot;前进一步&quot;（F10）运行下一步。</translation>
    </message>
</context>
<context>
    <name>StudioExporter</name>
    <message>
        <source>There is no generation to export yet.</source>
        <translation>还没有可导出的生成。</translation>
    </message>
    <message>
        <source>BD3 Studio</source>
        <translation>BD3 Studio</translation>
    </message>
    <message>
        <source>Drawn by BD3 Studio</source>
        <translation>由 BD3 Studio 绘制</translation>
    </message>
    <message>
        <source>%1 cannot be written.</source>
        <translation>无法写入 %1。</translation>
    </message>
    <message>
        <source>Writing %1 failed.</source>
        <translation>写入 %1 失败。</translation>
    </message>
    <message>
        <source>%1 cannot be written as %2.</source>
        <translation>无法以 %2 格式写入 %1。</translation>
    </message>
    <message>
        <source>There is no block to animate yet.</source>
        <translation>还没有可制作动画的块。</translation>
    </message>
    <message>
        <source>Block %1 has no steps yet.</source>
        <translation>块 %1 还没有任何步骤。</translation>
    </message>
    <message>
        <source>Plots are saved as .png or .pdf, not “%1”.</source>
        <translation>图表只能保存为 .png 或 .pdf，不能保存为&quot;%1&quot;。</translation>
    </message>
</context>
<context>
    <name>StudioSessionFormat</name>
    <message>
        <source>The file is damaged: it is not valid JSON (%1 at byte %2).</source>
        <translation>文件已损坏：不是有效的 JSON（第 %2 字节处：%1）。</translation>
    </message>
    <message>
        <source>This is not a BD3 Studio session.</source>
        <translation>这不是 BD3 Studio 会话。</translation>
    </message>
    <message>
        <source>The session has no format version.</source>
        <translation>会话没有格式版本。</translation>
    </message>
    <message>
        <source>This session was saved by a newer BD3 Studio (session format %1); this version reads format %2. Open it with a newer BD3 Studio.</source>
        <translation>此会话由较新的 BD3 Studio 保存（会话格式 %1）；本版本读取格式 %2。请用较新的 BD3 Studio 打开它。</translation>
    </message>
    <message>
        <source>This session uses format %1, from an older BD3 Studio, which this version no longer reads (it reads format %2).</source>
        <translation>此会话使用较旧 BD3 Studio 的格式 %1，本版本已不再读取该格式（本版本读取格式 %2）。</translation>
    </message>
    <message>
        <source>The session is damaged: the document is missing.</source>
        <translation>会话已损坏：缺少文档。</translation>
    </message>
    <message>
        <source>The session is damaged: the parameters are missing.</source>
        <translation>会话已损坏：缺少参数。</translation>
    </message>
    <message>
        <source>The session is damaged: the generations are missing.</source>
        <translation>会话已损坏：缺少生成记录。</translation>
    </message>
    <message>
        <source>The session is damaged: generation %1 is not a trace.</source>
        <translation>会话已损坏：第 %1 次生成不是轨迹。</translation>
    </message>
    <message>
        <source>The session is damaged: generation %1: %2</source>
        <translation>会话已损坏：第 %1 次生成：%2</translation>
    </message>
    <message>
        <source>%1 cannot be read: %2</source>
        <translation>无法读取 %1：%2</translation>
    </message>
    <message>
        <source>The session&apos;s format version %1 is not a whole number.</source>
        <translation>会话的格式版本 %1 不是整数。</translation>
    </message>
</context>
<context>
    <name>UnmaskingView</name>
    <message>
        <source>%1 earlier</source>
        <translation>之前 %1 个</translation>
    </message>
    <message>
        <source>The unmasking of each block shows here as it is generated.</source>
        <translation>每个块生成时的去掩码过程显示在这里。</translation>
    </message>
    <message>
        <source>Block %1 · step %2 of %3 · %4 masked</source>
        <translation>块 %1 · 第 %2 步，共 %3 步 · %4 个掩码</translation>
    </message>
    <message>
        <source> · restarted once</source>
        <translation> · 重新开始过一次</translation>
    </message>
    <message>
        <source> · restarted %1 times</source>
        <translation> · 重新开始过 %1 次</translation>
    </message>
    <message>
        <source>steps</source>
        <translation>步骤</translation>
    </message>
    <message>
        <source>step 1</source>
        <translation>第 1 步</translation>
    </message>
    <message>
        <source>Block %1 — click to inspect it</source>
        <translation>块 %1 — 点击查看</translation>
    </message>
    <message>
        <source>Position %1: “%2”, known before the block started</source>
        <translation>位置 %1：&quot;%2&quot;，在块开始之前已知</translation>
    </message>
    <message>
        <source>Position %1: still masked</source>
        <translation>位置 %1：仍被掩码</translation>
    </message>
    <message>
        <source>Position %1: “%2”
revealed at step %3, probability %4, entropy %5 nats</source>
        <translation>位置 %1：&quot;%2&quot;
在第 %3 步揭示，概率 %4，熵 %5 奈特</translation>
    </message>
</context>
<context>
    <name>WritingEditor</name>
    <message>
        <source>Write here, then press Ctrl+Return: the model continues from the cursor, block by block.</source>
        <translation>在这里写作，然后按 Ctrl+Return：模型会从光标处逐块续写。</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt;&lt;br&gt;block %2, from the prompt</source>
        <translation>&lt;b&gt;%1&lt;/b&gt;&lt;br&gt;块 %2，来自提示</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt;&lt;br&gt;block %2, step %3&lt;br&gt;probability %4, entropy %5 nats</source>
        <translation>&lt;b&gt;%1&lt;/b&gt;&lt;br&gt;块 %2，第 %3 步&lt;br&gt;概率 %4，熵 %5 奈特</translation>
    </message>
    <message>
        <source>&lt;br&gt;alternatives: %1</source>
        <translation>&lt;br&gt;备选：%1</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>A studio for block diffusion language models.</source>
        <translation>块扩散语言模型工作室。</translation>
    </message>
    <message>
        <source>A session file to open.</source>
        <translation>要打开的会话文件。</translation>
    </message>
    <message>
        <source>Model folder to open.</source>
        <translation>要打开的模型文件夹。</translation>
    </message>
    <message>
        <source>Generate from --prompt and save a picture of the window mid-generation, then quit.</source>
        <translation>从 --prompt 开始生成，在生成过程中保存窗口截图，然后退出。</translation>
    </message>
    <message>
        <source>Text to start the screenshot with.</source>
        <translation>截图开始时使用的文本。</translation>
    </message>
    <message>
        <source>Blocks to generate before the screenshot.</source>
        <translation>截图之前要生成的块数。</translation>
    </message>
    <message>
        <source>What the screenshot shows: live, step or compare.</source>
        <translation>截图显示的内容：live、step 或 compare。</translation>
    </message>
</context>
</TS>
