// The parameters of generation, each with a one-sentence tooltip for someone
// learning the method. Changes are announced at once; the window passes them
// to the engine, which applies them from the next block on.
#pragma once

#include "bd3/model.hpp"
#include "bd3/model_config.hpp"
#include "bd3/sampling.hpp"

#include <QDockWidget>

class QCheckBox;
class QJsonObject;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QSettings;
class QSpinBox;
class QToolButton;

class ControlsDock : public QDockWidget {
    Q_OBJECT

public:
    explicit ControlsDock(QWidget* parent = nullptr);

    bd3::SamplingParams samplingParams() const;
    // The seed is drawn afresh for each generation unless it is fixed.
    bd3::GenerationOptions generationOptions() const;
    // Where and with how many CPU threads the next model loads.
    bd3::LoadOptions loadOptions() const;

    void setSamplingParams(const bd3::SamplingParams& params);
    // A model's sampling defaults: all of them (a model of another family),
    // or only those its generation_config.json sets (fromGenerationConfig).
    // The dock then says where temperature, top-k and top-p came from until
    // they are changed.
    void setModelDefaults(const bd3::SamplingParams& defaults, const bd3::GenerationDefaults& fromGenerationConfig,
                          const QString& family, bool allOfThem);
    // Where temperature, top-k and top-p came from, in words.
    QString defaultsOrigin() const;
    void setContextLength(int tokens);  // the "whole context" preset and the block size limit
    void setRestartAction(QAction* action);
    // Every value as JSON, for sessions (the keys of docs/session-format.md).
    QJsonObject parametersJson() const;
    // Sets the values from JSON; returns the problem (and changes nothing)
    // when they do not make sense.
    QString setParametersJson(const QJsonObject& json);
    void saveSettings(QSettings& settings) const;
    void restoreSettings(const QSettings& settings);

    // Widgets by role, for tests.
    QSpinBox* blockSizeBox() const { return m_blockSize; }
    QSpinBox* stepsBox() const { return m_steps; }

Q_SIGNALS:
    void parametersChanged(const bd3::SamplingParams& params);

private:
    void updateEnabledStates();
    void announce();
    void showDefaultsOrigin();

    QSpinBox* m_blockSize;
    QSpinBox* m_steps;
    QComboBox* m_schedule;
    QDoubleSpinBox* m_beta;
    QDoubleSpinBox* m_omega;
    QComboBox* m_sampler;
    QComboBox* m_confidence;
    QDoubleSpinBox* m_threshold;
    QDoubleSpinBox* m_temperature;
    QDoubleSpinBox* m_topP;
    QSpinBox* m_topK;
    QSpinBox* m_subBlock;
    QCheckBox* m_fixedSeed;
    QSpinBox* m_seed;
    QSpinBox* m_tokenLimit;
    QCheckBox* m_stopAtEos;
    QComboBox* m_device;
    QSpinBox* m_threads;
    QPushButton* m_restart;
    QLabel* m_origin;
    // Where temperature, top-k and top-p came from: "generation_config.json",
    // a family's name, or empty once the person set them.
    QString m_originOf[3];
    double m_originValue[3] = {};
    QToolButton* m_wholeContext;
    int m_contextLength = 1024;
    bool m_updating = false;  // set while values are filled in programmatically
};
